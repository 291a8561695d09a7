"""Wall time, peak memory and stage times of `dlcheck run --budget quick` by table size.

For each row count (default 1,000, 10,000 and 100,000) the script writes a synthetic binary
table (`dlcheck.data.synthetic.wide_table`, 20 numeric feature columns by default) to a
temporary CSV and runs

    dlcheck run FILE --target target --budget quick --quiet --out TMPDIR

as a subprocess, with the `dlcheck` console script of this interpreter's environment. It reports

- wall: seconds from starting the subprocess to its exit (interpreter start-up and imports
  included);
- load / bench / tuning / checks / verdict / total: the stage times that the run itself records in
  report.json (report["timings"]); wall minus total is start-up, imports and report writing;
- peak tree MB: the largest sum of VmRSS over the run's process and all its descendants (the
  joblib/loky workers, the resource tracker), sampled every 0.2 s from /proc in a background
  thread. A sum of RSS counts pages that processes share (shared libraries) once per process,
  so it overstates the memory the machine needs; spikes shorter than 0.2 s can be missed;
- tree PSS MB: the largest sum of proportional set sizes (/proc/PID/smaps_rollup) over the
  same tree: shared pages are divided among the processes that share them, so this is the
  memory the run really needs;
- peak main MB: the largest sampled VmRSS of the run's main process alone;
- the verdict and, per size, each model's mean fit seconds (report["models"]).

Each size's line is printed as soon as it finishes, and one aligned table at the end. Linux
only (reads /proc). Standard library, numpy and pandas only; the measuring code is shared with
compare_lazypredict.py in _measure.py beside this script.

Run it with `make bench`, which runs `python benchmarks/bench_quick.py`, or directly:

    .venv/bin/python benchmarks/bench_quick.py                       # 1k, 10k and 100k rows
    .venv/bin/python benchmarks/bench_quick.py --sizes 1000 10000 --features 20
    .venv/bin/python benchmarks/bench_quick.py --sizes 1000 3000 10000 100000 \\
        --grid 3000x5 3000x80 --json growth.json --plot docs/img/growth.png

The 100,000-row size takes several minutes on a small machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dlcheck.data.synthetic import wide_table

# The shared measuring code lives beside this script. Run as `python benchmarks/bench_quick.py`,
# Python already puts this folder first on sys.path; the insert keeps the import working when
# the file is loaded some other way (runpy, importlib, a test).
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _measure  # noqa: E402

STAGES = ("load_and_profile", "benchmark", "tuned_variants", "checks", "verdict", "total")
STAGE_LABELS = ("load s", "bench s", "tuning s", "checks s", "verdict s", "total s")


# --- one run --------------------------------------------------------------------------------

@dataclass
class Measurement:
    rows: int
    cols: int
    wall_s: float
    peak_tree_mb: float
    peak_tree_pss_mb: float
    peak_main_mb: float
    peak_processes: int
    returncode: int
    timings: dict[str, float] = field(default_factory=dict)
    verdict: str = ""
    fit_seconds: dict[str, float] = field(default_factory=dict)
    error: str = ""

    def cells(self) -> list[str]:
        stages = [f"{self.timings[k]:.2f}" if k in self.timings else "-" for k in STAGES]
        return [f"{self.rows:,}", str(self.cols), f"{self.wall_s:.1f}", *stages,
                f"{self.peak_tree_mb:,.0f}", f"{self.peak_tree_pss_mb:,.0f}",
                f"{self.peak_main_mb:,.0f}",
                str(self.peak_processes), self.verdict or f"FAILED (exit {self.returncode})"]


HEADERS = ["rows", "cols", "wall s", *STAGE_LABELS, "peak tree MB", "tree PSS MB",
           "peak main MB", "procs", "verdict"]


def measure(rows: int, n_features: int, workdir: Path) -> Measurement:
    """Write a rows x n_features table, run `dlcheck run` on it and measure the run."""
    df, target = wide_table(rows, n_features, seed=0)
    csv = workdir / f"wide_{rows}x{n_features}.csv"
    df.to_csv(csv, index=False)
    out = workdir / f"report_{rows}x{n_features}"
    command = [str(_measure.dlcheck_command()), "run", str(csv), "--target", target,
               "--budget", "quick", "--quiet", "--out", str(out)]
    with open(workdir / f"stderr_{rows}x{n_features}.txt", "w+b") as stderr:
        run = _measure.run_measured(command, stdout=subprocess.DEVNULL, stderr=stderr)
        stderr.seek(0)
        error_text = stderr.read().decode(errors="replace").strip()

    returncode = run.returncode
    result = Measurement(rows=rows, cols=n_features, wall_s=run.wall_s,
                         peak_tree_mb=run.peak_rss_mb, peak_tree_pss_mb=run.peak_pss_mb,
                         peak_main_mb=run.peak_main_mb, peak_processes=run.processes,
                         returncode=returncode)
    report = _measure.read_report(out)
    if returncode != 0 or report is None:
        result.error = error_text[-2000:] or f"exit {returncode} and no report.json"
        return result
    result.timings, result.verdict = _measure.timings_and_verdict(report)
    result.fit_seconds = {m["name"]: float(m["fit_seconds"]) for m in report.get("models", [])}
    for name, error in report.get("failed_models", {}).items():
        # A figure from a run that lost models is not a figure of the product: say so loudly.
        result.verdict += f" [{name} FAILED: {error[:80]}]"
    failed = report.get("failed_models") or {}
    if failed:
        result.error = "failed models: " + "; ".join(f"{k}: {v}" for k, v in failed.items())
    return result


# --- output ---------------------------------------------------------------------------------

PLOTTED_STAGES = (("benchmark", "benchmark"), ("tuned_variants", "tuning"),
                  ("checks", "checks"))


def plot_growth(results: list[Measurement], path: Path) -> None:
    """Log-log: wall and stage seconds against rows (at the most common column count) and
    against columns (at the most common row count with several column counts)."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [m for m in results if not m.error]
    cols = max({m.cols for m in ok}, key=lambda c: sum(m.cols == c for m in ok))
    by_rows = sorted((m for m in ok if m.cols == cols), key=lambda m: m.rows)
    counts = {r: sum(m.rows == r for m in ok) for r in {m.rows for m in ok}}
    rows = max(counts, key=lambda r: (counts[r], r))
    by_cols = sorted((m for m in ok if m.rows == rows), key=lambda m: m.cols)
    panels = [(by_rows, "rows", lambda m: m.rows, f"{cols} columns")]
    if len(by_cols) > 1:
        panels.append((by_cols, "columns", lambda m: m.cols, f"{rows:,} rows"))
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4), squeeze=False)
    for ax, (runs, label, x_of, fixed) in zip(axes[0], panels, strict=True):
        xs = [x_of(m) for m in runs]
        ax.loglog(xs, [m.wall_s for m in runs], "o-", color="black", label="wall")
        for key, name in PLOTTED_STAGES:
            ax.loglog(xs, [max(m.timings.get(key, 0.0), 1e-2) for m in runs], ".--",
                      label=name)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_xticks(xs, [f"{x:,}" for x in xs])
        ax.set_xlabel(label)
        ax.set_ylabel("seconds")
        ax.set_title(f"dlcheck run --budget quick, {fixed}", fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def format_progress(m: Measurement) -> str:
    """One finished size as a line of name=value pairs."""
    return "done: " + ", ".join(f"{h} {c}" for h, c in zip(HEADERS, m.cells(), strict=True))


def format_fit_seconds(m: Measurement) -> str:
    models = ", ".join(f"{name} {s:.2f}" for name, s in m.fit_seconds.items())
    return f"{m.rows:>9,} rows  mean fit s per fold: {models or '-'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000],
                        metavar="ROWS", help="row counts to run (default: 1000 10000 100000)")
    parser.add_argument("--features", type=int, nargs="+", default=[20],
                        help="feature columns of each table (default: 20); with several, every "
                             "size runs with each")
    parser.add_argument("--grid", nargs="+", default=[], metavar="ROWSxCOLS",
                        help="further tables to run, as ROWSxCOLS (e.g. 3000x5 3000x80)")
    parser.add_argument("--json", type=Path, default=None,
                        help="write every measurement to this JSON file")
    parser.add_argument("--from-json", type=Path, default=None,
                        help="run nothing: print and plot the figures a --json run wrote")
    parser.add_argument("--plot", type=Path, default=None,
                        help="draw wall and stage seconds against rows and columns, log-log, "
                             "into this PNG (matplotlib)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/status").exists():
        parser.error("this benchmark reads /proc: it runs on Linux only")
    try:
        tables = [(rows, cols) for rows in args.sizes for cols in args.features] + [
            tuple(int(v) for v in cell.lower().split("x")) for cell in args.grid]
    except ValueError:
        parser.error("--grid takes ROWSxCOLS, e.g. 3000x5")
    if any(len(t) != 2 or t[0] < 1 or t[1] < 5 for t in tables):
        parser.error("rows must be positive and columns at least 5 (wide_table uses 5)")
    tables = list(dict.fromkeys(tables))

    print(f"dlcheck run --budget quick | python {platform.python_version()} | "
          f"{len(os.sched_getaffinity(0))} cores | "
          f"memory sampled every {_measure.SAMPLE_SECONDS} s", flush=True)
    results: list[Measurement] = []
    if args.from_json:
        results = [Measurement(**m) for m in json.loads(args.from_json.read_text())]
        tables = []
    with tempfile.TemporaryDirectory(prefix="dlcheck-bench-") as tmp:
        for rows, cols in tables:
            m = measure(rows, cols, Path(tmp))
            results.append(m)
            print(format_progress(m), flush=True)
            if m.error:
                print(f"  ! {m.error}", flush=True)

    print("\nSummary (stage seconds from report.json; peak MB = max sampled RSS):")
    print(_measure.format_table(HEADERS, [m.cells() for m in results]))
    print("\nPer-model mean fit seconds (one fold's fit, averaged over folds):")
    for m in results:
        print(format_fit_seconds(m))
    if args.json:
        args.json.write_text(json.dumps([asdict(m) for m in results], indent=1))
    if args.plot:
        plot_growth(results, args.plot)
        print(f"plot: {args.plot}")
    return 0 if all(m.returncode == 0 for m in results) else 1


if __name__ == "__main__":
    sys.exit(main())

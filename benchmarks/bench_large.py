"""Wall time, peak memory and the rows each model saw, of `dlcheck run` on large tables.

For each row count (default 100,000, 300,000 and 1,000,000) the script writes a synthetic
binary table of 50 columns (`dlcheck.data.synthetic.large_table`: 45 numeric, 5 categorical
with 4 to 64 levels, a target with signal) to a CSV in a temporary folder and runs

    dlcheck run FILE --target y --budget quick --quiet --out TMPDIR

as a subprocess, with the `dlcheck` console script of this interpreter's environment. For each
size it prints

- wall: seconds from starting the subprocess to its exit, and the stage seconds that the run
  records in report.json (load and profile, benchmark, checks, total);
- peak PSS: the largest sum of proportional set sizes over the run's process and all its
  workers (/proc/PID/smaps_rollup, sampled every 0.2 s: see _measure.py), the memory the run
  really needs; when it happened and the main process's share of it then; and the peak PSS
  of the main process alone;
- each model: the training rows it saw per fold against the rows available, and its mean fit
  seconds; the models that failed or were stopped at their time limit.

With `--stages` the same run goes through the Python API (`_assess_logged.py` beside this
script: `assess` and `Assessment.save`, what `dlcheck run` calls) so that it can also print
the seconds of the benchmark and of each check.

Linux only (reads /proc). The 1,000,000-row table writes a 0.33 GB CSV and runs for a long
time on a small machine: start it in the background, e.g.

    nice -n 10 .venv/bin/python benchmarks/bench_large.py --rows 1000000 > bench_1m.txt 2>&1 &

Other sizes and options:

    .venv/bin/python benchmarks/bench_large.py --rows 100000 300000 --stages
    .venv/bin/python benchmarks/bench_large.py --rows 100000 --budget standard \\
        --skip-check tuning --skip-check robustness
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.data.synthetic import large_table

# The shared measuring code lives beside this script (see bench_quick.py for why the insert).
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _measure  # noqa: E402

STAGES = ("load_and_profile", "benchmark", "tuned_variants", "checks", "total")


@dataclass
class Result:
    rows: int
    csv_mb: float
    measured: _measure.Measured
    timings: dict[str, float] = field(default_factory=dict)
    verdict: str = ""
    models: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stages: list[tuple[str, float]] = field(default_factory=list)
    error: str = ""

    def cells(self) -> list[str]:
        m = self.measured
        stages = [f"{self.timings[k]:.0f}" if k in self.timings else "-" for k in STAGES]
        peak = max(m.timeline, key=lambda t: t[2]) if m.timeline else (float("nan"), 0, 0)
        return [f"{self.rows:,}", f"{self.csv_mb:.0f}", f"{m.wall_s:.0f}", *stages,
                f"{m.peak_pss_mb:,.0f}", f"{peak[0]:.0f}", f"{peak[1]:,.0f}",
                f"{max((t[1] for t in m.timeline), default=0):,.0f}",
                str(m.processes), self.verdict or f"FAILED (exit {m.returncode})"]


HEADERS = ["rows", "CSV MB", "wall s", "load s", "bench s", "tuning s", "checks s", "total s",
           "peak PSS MB", "peak at s", "main at peak", "main PSS MB", "procs", "verdict"]


def write_table(rows: int, workdir: Path) -> Path:
    df, _ = large_table(rows, seed=0)
    csv = workdir / f"large_{rows}.csv"
    # Six significant digits: the CSV stays near the size a user's export would have.
    df.to_csv(csv, index=False, float_format="%.6g")
    return csv


def measure(rows: int, workdir: Path, budget: str, skip: list[str], stages: bool,
            timeout: float | None) -> Result:
    started = time.perf_counter()
    csv = write_table(rows, workdir)
    print(f"  {rows:,} rows: CSV of {csv.stat().st_size / 1e6:.0f} MB written in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    out = workdir / f"report_{rows}"
    if stages:
        command = [sys.executable, str(Path(__file__).resolve().parent / "_assess_logged.py"),
                   str(csv), "y", budget, str(out), *skip]
    else:
        command = [str(_measure.dlcheck_command()), "run", str(csv), "--target", "y", "--budget",
                   budget, "--quiet", "--out", str(out),
                   *[arg for code in skip for arg in ("--skip-check", code)]]
    with open(workdir / f"stderr_{rows}.txt", "w+b") as stderr:
        run = _measure.run_measured(command, stdout=subprocess.DEVNULL, stderr=stderr,
                                    timeout=timeout)
        stderr.seek(0)
        error_text = stderr.read().decode(errors="replace").strip()
    result = Result(rows=rows, csv_mb=csv.stat().st_size / 1e6, measured=run)
    result.stages = stage_seconds(error_text)
    csv.unlink()
    report = _measure.read_report(out)
    if run.returncode != 0 or report is None:
        result.error = error_text[-2000:] or f"exit {run.returncode} and no report.json"
        return result
    result.timings, result.verdict = _measure.timings_and_verdict(report)
    result.models = report.get("models", [])
    result.failures = [f["summary"] for f in report.get("findings", [])
                       if f.get("check") == "model_failed" or f.get("severity") == "error"]
    return result


def stage_seconds(log: str) -> list[tuple[str, float]]:
    """(stage, seconds) from the STAGE lines of _assess_logged.py: loading and the benchmark
    (up to its last job), each check (a "check X" line ends check X), then the verdict and
    the report files ("saved")."""
    marks = []
    for line in log.splitlines():
        if line.startswith("STAGE "):
            _, at, what = line.split(" ", 2)
            marks.append((float(at), what.rsplit(" (", 1)[0]))
    ends = [(at, what) for at, what in marks if what.startswith("check ") or what == "saved"]
    if not ends:
        return []
    bench_end = max((at for at, what in marks if at <= ends[0][0]
                     and not what.startswith("check")), default=0.0)
    stages, previous = [("load, profile and benchmark", bench_end)], bench_end
    for at, what in ends:
        stages.append((what.removeprefix("check ").replace("saved", "verdict and report"),
                       at - previous))
        previous = at
    return stages


def format_models(r: Result) -> str:
    lines = [f"{r.rows:>10,} rows  model: training rows seen / available per fold, mean fit s"]
    for m in r.models:
        seen = f"{m['train_rows']:,} / {m['train_rows_available']:,}"
        mark = "  (subsample)" if m.get("subsampled") else ""
        lines.append(f"{'':>12}{m['name']:<22} {seen:>21}  {m['fit_seconds']:8.1f} s{mark}")
    lines += [f"{'':>12}! {f}" for f in r.failures]
    if r.stages:
        lines.append(f"{'':>12}seconds: " + ", ".join(f"{name} {s:.0f}"
                                                      for name, s in r.stages))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 300_000, 1_000_000],
                        help="row counts to run (default: 100000 300000 1000000)")
    parser.add_argument("--budget", default="quick", help="dlcheck --budget (default: quick)")
    parser.add_argument("--skip-check", action="append", default=[], metavar="CODE",
                        help="a check not to run (repeat for several)")
    parser.add_argument("--stages", action="store_true",
                        help="run through the Python API and print each check's seconds")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="copy each run's report folder and log to DIR/ROWS")
    parser.add_argument("--timeout", type=float, default=None,
                        help="stop a run after this many seconds (exit 124)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/status").exists():
        parser.error("this benchmark reads /proc: it runs on Linux only")

    skipped = "".join(f" --skip-check {c}" for c in args.skip_check)
    print(f"dlcheck run --budget {args.budget}{skipped} | python "
          f"{platform.python_version()} | {len(os.sched_getaffinity(0))} cores | "
          f"memory sampled every {_measure.SAMPLE_SECONDS} s", flush=True)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="dlcheck-bench-large-") as tmp:
        for rows in args.rows:
            r = measure(rows, Path(tmp), args.budget, args.skip_check, args.stages,
                        args.timeout)
            if args.keep:
                kept = args.keep / str(rows)
                if (Path(tmp) / f"report_{rows}").exists():
                    shutil.copytree(Path(tmp) / f"report_{rows}", kept, dirs_exist_ok=True)
                kept.mkdir(parents=True, exist_ok=True)
                shutil.copy(Path(tmp) / f"stderr_{rows}.txt", kept / "stderr.txt")
            results.append(r)
            print("done: " + ", ".join(f"{h} {c}" for h, c in
                                       zip(HEADERS, r.cells(), strict=True)), flush=True)
            print(format_models(r), flush=True)
            if r.error:
                print(f"  ! {r.error}", flush=True)

    print("\nSummary (stage seconds from report.json; PSS summed over the process tree):")
    print(_measure.format_table(HEADERS, [r.cells() for r in results]))
    return 0 if all(r.measured.returncode == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

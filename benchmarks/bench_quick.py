"""Wall time, peak memory and stage times of `dlcheck run --budget quick` by table size.

For each row count (default 1,000, 10,000 and 100,000) the script writes a synthetic binary
table (`dlcheck.data.synthetic.wide_table`, 20 numeric feature columns by default) to a
temporary CSV and runs

    dlcheck run FILE --target target --budget quick --quiet --out TMPDIR

as a subprocess, with the `dlcheck` console script of this interpreter's environment. It reports

- wall: seconds from starting the subprocess to its exit (interpreter start-up and imports
  included);
- load / bench / verdict / total: the stage times that the run itself records in
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
only (reads /proc). Standard library, numpy and pandas only.

Run it with `make bench`, which runs `python benchmarks/bench_quick.py`, or directly:

    .venv/bin/python benchmarks/bench_quick.py                       # 1k, 10k and 100k rows
    .venv/bin/python benchmarks/bench_quick.py --sizes 1000 10000 --features 20

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
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.data.synthetic import wide_table

SAMPLE_SECONDS = 0.2
STAGES = ("load_and_profile", "benchmark", "verdict", "total")
STAGE_LABELS = ("load s", "bench s", "verdict s", "total s")


# --- memory of a process tree, from /proc -----------------------------------------------------

def _parent_pids() -> dict[int, int]:
    """pid -> parent pid of every process visible in /proc."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:  # the process exited while we looked
            continue
        # The command name (field 2) is in parentheses and may hold spaces or parentheses:
        # the fields after the last ")" are state, ppid, ...
        after_name = stat.rsplit(")", 1)[-1].split()
        if len(after_name) >= 2:
            parents[int(entry.name)] = int(after_name[1])
    return parents


def _descendants(root: int) -> list[int]:
    """root and every process below it, found by parent pids."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parent_pids().items():
        children.setdefault(ppid, []).append(pid)
    tree, stack = [], [root]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(children.get(pid, []))
    return tree


def _proc_kb(pid: int, file: str, field: str) -> int:
    """A kB figure from /proc/PID/FILE; 0 when the process is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/{file}", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _rss_kb(pid: int) -> int:
    return _proc_kb(pid, "status", "VmRSS:")


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared pages divided among the processes sharing them, so that
    a sum over processes is the memory they really use together."""
    return _proc_kb(pid, "smaps_rollup", "Pss:")


class TreeMemorySampler(threading.Thread):
    """Samples, every `interval` seconds until stopped, the RSS of a process and of its whole
    tree, and keeps the peaks."""

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_tree_kb = 0
        self.peak_tree_pss_kb = 0
        self.peak_main_kb = 0
        self.peak_processes = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            self.sample()
            if self._stop_event.wait(self.interval):
                return

    def sample(self) -> None:
        tree = _descendants(self.pid)
        sizes = [_rss_kb(pid) for pid in tree]
        self.peak_main_kb = max(self.peak_main_kb, sizes[0])
        self.peak_tree_kb = max(self.peak_tree_kb, sum(sizes))
        self.peak_tree_pss_kb = max(self.peak_tree_pss_kb, sum(_pss_kb(pid) for pid in tree))
        self.peak_processes = max(self.peak_processes, sum(1 for s in sizes if s))
        self.samples += 1

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


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


def dlcheck_command() -> Path:
    """The `dlcheck` console script installed beside this interpreter."""
    script = Path(sys.executable).parent / "dlcheck"
    if not script.exists():
        sys.exit(f"no dlcheck console script at {script}: install the package "
                 "(`make test` or `pip install -e .`) and run this with its Python.")
    return script


def measure(rows: int, n_features: int, workdir: Path) -> Measurement:
    """Write a rows x n_features table, run `dlcheck run` on it and measure the run."""
    df, target = wide_table(rows, n_features, seed=0)
    csv = workdir / f"wide_{rows}x{n_features}.csv"
    df.to_csv(csv, index=False)
    out = workdir / f"report_{rows}"
    command = [str(dlcheck_command()), "run", str(csv), "--target", target, "--budget", "quick",
               "--quiet", "--out", str(out)]
    with open(workdir / f"stderr_{rows}.txt", "w+b") as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        sampler = TreeMemorySampler(proc.pid)
        sampler.start()
        returncode = proc.wait()
        wall = time.perf_counter() - started
        sampler.stop()
        stderr.seek(0)
        error_text = stderr.read().decode(errors="replace").strip()

    result = Measurement(rows=rows, cols=n_features, wall_s=wall,
                         peak_tree_mb=sampler.peak_tree_kb / 1024,
                         peak_tree_pss_mb=sampler.peak_tree_pss_kb / 1024,
                         peak_main_mb=sampler.peak_main_kb / 1024,
                         peak_processes=sampler.peak_processes, returncode=returncode)
    report_path = out / "report.json"
    if returncode != 0 or not report_path.exists():
        result.error = error_text[-2000:] or f"exit {returncode} and no report.json"
        return result
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    result.timings = {k: float(v) for k, v in report.get("timings", {}).items()}
    verdict = report.get("verdict", {})
    result.verdict = f"{verdict.get('decision')} ({verdict.get('recommended_model')})"
    result.fit_seconds = {m["name"]: float(m["fit_seconds"]) for m in report.get("models", [])}
    for name, error in report.get("failed_models", {}).items():
        # A figure from a run that lost models is not a figure of the product: say so loudly.
        result.verdict += f" [{name} FAILED: {error[:80]}]"
    failed = report.get("failed_models") or {}
    if failed:
        result.error = "failed models: " + "; ".join(f"{k}: {v}" for k, v in failed.items())
    return result


# --- output ---------------------------------------------------------------------------------

def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """Left-aligned text columns, right-aligned numeric ones, two spaces apart."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    numeric = [all(_is_number(row[i]) for row in rows) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if num else c.ljust(w)
                         for c, w, num in zip(cells, widths, numeric, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def _is_number(cell: str) -> bool:
    try:
        float(cell.replace(",", ""))
    except ValueError:
        return cell == "-"
    return True


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
    parser.add_argument("--features", type=int, default=20,
                        help="feature columns of each table (default: 20)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/status").exists():
        parser.error("this benchmark reads /proc: it runs on Linux only")
    if any(n < 1 for n in args.sizes) or args.features < 5:
        parser.error("sizes must be positive and --features at least 5 (wide_table uses 5)")

    print(f"dlcheck run --budget quick | python {platform.python_version()} | "
          f"{len(os.sched_getaffinity(0))} cores | memory sampled every {SAMPLE_SECONDS} s",
          flush=True)
    results: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="dlcheck-bench-") as tmp:
        for rows in args.sizes:
            m = measure(rows, args.features, Path(tmp))
            results.append(m)
            print(format_progress(m), flush=True)
            if m.error:
                print(f"  ! {m.error}", flush=True)

    print("\nSummary (stage seconds from report.json; peak MB = max sampled RSS):")
    print(format_table(HEADERS, [m.cells() for m in results]))
    print("\nPer-model mean fit seconds (one fold's fit, averaged over folds):")
    for m in results:
        print(format_fit_seconds(m))
    return 0 if all(m.returncode == 0 for m in results) else 1


if __name__ == "__main__":
    sys.exit(main())

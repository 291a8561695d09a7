"""How busy the cores are in each stage of one `dlcheck run`: the idle tails that a faster plan
would fill.

The script runs one assessment through the Python API (`_assess_logged.py` beside this script,
what `dlcheck run` calls), reads the stage of every progress step it logs (the benchmark, the
tuning, each check), and samples the machine's CPU time from /proc/stat every 0.25 s. For
each stage it prints the wall seconds, the mean number of busy cores, and the seconds during
which at most one core was busy (one job holding a core while the other idles, or the main
process computing alone). The CPU time is the whole machine's: run it with nothing else
running. Stages are told apart by the progress lines: a check's start is logged, the
tuning's is not, so the tuning's first jobs count to the benchmark. Linux only.

    .venv/bin/python benchmarks/stage_profile.py                          # the demo table
    .venv/bin/python benchmarks/stage_profile.py FILE.csv TARGET --budget quick
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SAMPLE_SECONDS = 0.25


def busy_jiffies() -> tuple[float, float]:
    """(busy, total) CPU time of the machine so far, in clock ticks (first line of /proc/stat)."""
    with open("/proc/stat") as handle:
        fields = [float(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


class CoreSampler(threading.Thread):
    """Busy cores in each interval of SAMPLE_SECONDS, as (time since start, busy cores)."""

    def __init__(self, started: float) -> None:
        super().__init__(daemon=True)
        self.started, self.samples = started, []
        self.cores = os.cpu_count() or 1
        self._done = threading.Event()

    def run(self) -> None:
        busy, total = busy_jiffies()
        while not self._done.wait(SAMPLE_SECONDS):
            now_busy, now_total = busy_jiffies()
            share = (now_busy - busy) / max(now_total - total, 1e-9)
            self.samples.append((time.perf_counter() - self.started, share * self.cores))
            busy, total = now_busy, now_total

    def stop(self) -> None:
        self._done.set()
        self.join()


def stage_of(what: str) -> str:
    """The stage a progress line belongs to."""
    if what.startswith("check ") or what == "checks done":
        return "checks"
    if what.startswith("tuning"):
        return "tuning"
    if what.startswith("checks:"):
        return "checks"
    return "benchmark"


def profile(path: str, target: str, budget: str, skip: list[str]) -> list[list[str]]:
    script = Path(__file__).resolve().parent / "_assess_logged.py"
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        sampler = CoreSampler(started)
        sampler.start()
        run = subprocess.run([sys.executable, str(script), path, target, budget, out, *skip],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        sampler.stop()
    if run.returncode != 0:
        sys.exit(f"the run failed:\n{run.stderr[-2000:]}")
    # Each STAGE line ends the interval since the one before it; a check's own lines name it.
    marks: list[tuple[float, str]] = []
    current = "start-up and loading"
    check = None
    for line in run.stderr.splitlines():
        if not line.startswith("STAGE "):
            continue
        _, seconds, what = line.split(" ", 2)
        what = what.rsplit(" (", 1)[0]
        if what == "saved":
            marks.append((float(seconds), current))
            break
        if what.startswith("check "):
            check = what.removeprefix("check ")
        stage = stage_of(what)
        marks.append((float(seconds), current))
        current = f"check {check}" if stage == "checks" and check else stage
        if what == "checks done":
            current = "verdict and report"
    spans: dict[str, list[float]] = {}
    previous = 0.0
    for end, stage in marks:
        inside = [busy for t, busy in sampler.samples if previous < t <= end]
        wall, lone = end - previous, SAMPLE_SECONDS * sum(b <= 1.2 for b in inside)
        total = spans.setdefault(stage, [0.0, 0.0, 0.0])
        total[0] += wall
        total[1] += sum(inside) * SAMPLE_SECONDS
        total[2] += lone
        previous = end
    rows = [["stage", "wall s", "busy cores", "s with <= 1 busy"]]
    for stage, (wall, core_seconds, lone) in spans.items():
        if wall >= 0.05:
            rows.append([stage, f"{wall:.1f}", f"{core_seconds / max(wall, 1e-9):.2f}",
                         f"{lone:.1f}"])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("path", nargs="?", help="a CSV (default: the breast_cancer demo)")
    parser.add_argument("target", nargs="?")
    parser.add_argument("--budget", default="quick")
    parser.add_argument("--skip-check", action="append", default=[])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path, target = args.path, args.target
        if path is None:
            from sklearn.datasets import load_breast_cancer

            frame = load_breast_cancer(as_frame=True).frame
            path, target = str(Path(tmp) / "breast_cancer.csv"), "target"
            frame.to_csv(path, index=False)
        rows = profile(path, target, args.budget, args.skip_check)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What the benchmark scripts share: wall time, CPU seconds and peak memory of a subprocess and
all its descendants, read from /proc (Linux only), and an aligned text table.

Memory is sampled every SAMPLE_SECONDS in a background thread, so spikes shorter than that can
be missed. Summed RSS (VmRSS of /proc/PID/status) counts pages that processes share once per
process and so overstates what the tree needs; summed PSS (Pss of /proc/PID/smaps_rollup)
divides shared pages among the processes sharing them, so it is what the tree really needs.
Standard library only.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

SAMPLE_SECONDS = 0.2
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- a process tree, from /proc -----------------------------------------------------------------

def dlcheck_command() -> Path:
    """The `dlcheck` console script installed beside this interpreter."""
    script = Path(sys.executable).parent / "dlcheck"
    if not script.exists():
        sys.exit(f"no dlcheck console script at {script}: install the package "
                 "(`make test` or `pip install -e .`) and run this with its Python.")
    return script


def read_report(out: Path) -> dict[str, Any] | None:
    """The run's report.json, or None when the run wrote none."""
    path = out / "report.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def timings_and_verdict(report: dict[str, Any]) -> tuple[dict[str, float], str]:
    """A report's stage seconds, and its verdict as 'decision (recommended model)'."""
    timings = {k: float(v) for k, v in report.get("timings", {}).items()}
    verdict = report.get("verdict", {})
    return timings, f"{verdict.get('decision')} ({verdict.get('recommended_model')})"


def process_stats() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds so far, user + system) of every process in /proc."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:  # the process exited while we looked
            continue
        # The command name (field 2) is in parentheses and may hold spaces or parentheses:
        # after the last ")" come state (field 3), ppid (4), ... utime (14), stime (15).
        after_name = stat.rsplit(")", 1)[-1].split()
        if len(after_name) >= 13:
            cpu = (int(after_name[11]) + int(after_name[12])) / CLOCK_TICKS
            stats[int(entry.name)] = (int(after_name[1]), cpu)
    return stats


def descendants(root: int, stats: dict[int, tuple[int, float]]) -> list[int]:
    """root and every process below it, found by the parent pids in `stats`; root first."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    tree, stack = [], [root]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(children.get(pid, []))
    return tree


def proc_kb(pid: int, file: str, field_name: str) -> int:
    """A kB figure from /proc/PID/FILE; 0 when the process is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/{file}", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(field_name):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def rss_kb(pid: int) -> int:
    """Resident set size: every page the process has in memory, shared ones included."""
    return proc_kb(pid, "status", "VmRSS:")


def pss_kb(pid: int) -> int:
    """Proportional set size: shared pages divided among the processes sharing them, so that
    a sum over processes is the memory they really use together."""
    return proc_kb(pid, "smaps_rollup", "Pss:")


class TreeSampler(threading.Thread):
    """Every `interval` seconds until stopped: the peaks of the summed RSS and PSS of a process
    tree, of the RSS of its root alone and of its count of live processes, and the last CPU
    seconds seen of each process in it."""

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        self.peak_main_kb = 0
        self.peak_processes = 0
        self.cpu_s: dict[int, float] = {}
        self.timeline: list[tuple[float, float, float]] = []
        """(seconds since start, PSS MB of the root, PSS MB of the tree) of every sample."""
        self._t0 = time.perf_counter()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            self.sample()
            if self._stop_event.wait(self.interval):
                return

    def sample(self) -> None:
        stats = process_stats()
        tree = descendants(self.pid, stats)
        self.cpu_s.update((pid, stats[pid][1]) for pid in tree if pid in stats)
        rss = [rss_kb(pid) for pid in tree]
        self.peak_main_kb = max(self.peak_main_kb, rss[0])
        self.peak_rss_kb = max(self.peak_rss_kb, sum(rss))
        pss = [pss_kb(pid) for pid in tree]
        self.peak_pss_kb = max(self.peak_pss_kb, sum(pss))
        self.timeline.append((time.perf_counter() - self._t0, pss[0] / 1024,
                              sum(pss) / 1024))
        self.peak_processes = max(self.peak_processes, sum(1 for r in rss if r))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# --- one measured subprocess --------------------------------------------------------------------

@dataclass(frozen=True)
class Measured:
    """One subprocess run: exit status, seconds and peaks over its process tree."""

    returncode: int  # 124 when it was stopped at its timeout
    wall_s: float  # from starting the subprocess to its exit
    cpu_s: float  # user + system over the whole tree
    peak_rss_mb: float  # summed over the tree
    peak_pss_mb: float  # summed over the tree
    peak_main_mb: float  # RSS of the subprocess alone
    processes: int  # most live processes seen in the tree at once
    timeline: tuple[tuple[float, float, float], ...] = ()  # (s, root PSS MB, tree PSS MB)


def run_measured(command: list[str], stdout: int | IO[Any] | None, stderr: int | IO[Any] | None,
                 timeout: float | None = None) -> Measured:
    """Run `command` with the given stdout and stderr, sampling its tree until it exits.

    With a timeout the command runs in its own session and, past `timeout` seconds, the whole
    session gets SIGTERM, then SIGKILL 15 s later, and the return code is 124. Without one it
    stays in this session (Ctrl-C reaches it) and is waited for as long as it runs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=stdout, stderr=stderr,
                            start_new_session=timeout is not None)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    try:
        returncode = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        returncode = 124
    wall = time.perf_counter() - started
    sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The reaped tree's CPU from the kernel, or the sum of each process's last sampled CPU
    # where larger (workers that their parent never reaps do not reach RUSAGE_CHILDREN; the
    # sampled sum can miss a process's last interval).
    reaped = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(returncode=returncode, wall_s=wall,
                    cpu_s=max(reaped, sum(sampler.cpu_s.values())),
                    peak_rss_mb=sampler.peak_rss_kb / 1024,
                    peak_pss_mb=sampler.peak_pss_kb / 1024,
                    peak_main_mb=sampler.peak_main_kb / 1024,
                    processes=sampler.peak_processes, timeline=tuple(sampler.timeline))


# --- output -------------------------------------------------------------------------------------

def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """Left-aligned text columns, right-aligned numeric ones, two spaces apart."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    numeric = [all(_is_number(row[i]) for row in rows) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if num else c.ljust(w)
                         for c, w, num in zip(cells, widths, numeric, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def _is_number(cell: str) -> bool:
    """A number (thousands commas allowed) or "-" for a missing one."""
    try:
        float(cell.replace(",", ""))
    except ValueError:
        return cell == "-"
    return True

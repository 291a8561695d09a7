"""Stopping a run: Ctrl-C or SIGTERM end it at once, cleanly, and leave no process behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlcheck.data.synthetic import rotated_smooth_table
from dlcheck.store import read_history
from tests.helpers import popen_as_a_terminal_would

pytestmark = pytest.mark.slow
DLCHECK = Path(sys.executable).parent / "dlcheck"


def _children(pid: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def _start(args: list[str], **kwargs) -> subprocess.Popen:
    """Start dlcheck as a terminal starts a command (tests/helpers.py)."""
    return popen_as_a_terminal_would([str(DLCHECK), *args], stderr=subprocess.PIPE, text=True,
                                     **kwargs)


def session_survivors(session: int, seconds: float = 5) -> list[int]:
    """The processes of a session (the run's fork server, workers, resource tracker) still
    alive after up to `seconds`; a zombie holds no memory and no file, and counts as gone."""
    deadline = time.time() + seconds
    while True:
        alive = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == session and fields[0] != "Z":
                alive.append(int(stat.parent.name))
        if not alive or time.time() > deadline:
            return alive
        time.sleep(0.1)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_the_run_cleanly(tmp_path, signum):
    df, target = rotated_smooth_table(n=4000)
    data = tmp_path / "t.csv"
    df.to_csv(data, index=False)
    out = tmp_path / "out"
    proc = _start(["run", str(data), "--target", target, "--out", str(out), "--jobs", "2"])
    deadline = time.time() + 60
    workers: set[int] = set()
    while len(workers) < 2 and time.time() < deadline:  # workers are the fork server's children
        time.sleep(0.5)
        workers = set().union(set(), *(_children(c) for c in _children(proc.pid)))
    time.sleep(2)
    started = time.time()
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signum)  # a terminal's Ctrl-C reaches the whole group
    else:
        proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=30)
    assert time.time() - started < 10  # running fits were stopped, not waited for
    assert proc.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert "finished jobs are saved in" in stderr and "Run the same command again" in stderr
    assert not (out / "report.json").exists()
    (run,) = read_history(out)
    assert run["status"] == "interrupted"
    assert not session_survivors(proc.pid)


def test_a_script_without_main_guard_runs_once(tmp_path):
    script = tmp_path / "user_script.py"
    script.write_text(
        "from dataclasses import replace\n"
        "from dlcheck import assess\n"
        "from dlcheck._config import BUDGETS\n"
        "from dlcheck.data.synthetic import linear_table\n"
        "df, target = linear_table(n=200)\n"
        "print('script body ran')\n"
        "small = replace(BUDGETS['quick'], name='small', max_epochs=10, tabm_k=2)\n"
        "print(assess(df, target, n_jobs=2, budget=small, skip_checks=['tuning', 'robustness',"
        " 'explainability', 'learning_curves', 'permutation_test']).verdict['decision'])\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("script body ran") == 1
    assert result.stdout.strip().endswith("classical")


@pytest.mark.parametrize("delay", [0.3, 1.0, 2.0, 4.0])
def test_ctrl_c_at_any_moment_says_one_line(tmp_path, delay):
    """While libraries load, options parse, workers start or models fit: one line, no
    traceback from the main process, the fork server or a worker being started."""
    proc = _start(["run", "--example", "wine", "--out", str(tmp_path / "out")],
                  stdout=subprocess.PIPE)
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    lines = [line for line in stderr.splitlines() if line.strip() and "━" not in line]
    assert proc.returncode == 130, stderr
    assert len(lines) == 1 and lines[0].startswith("interrupted"), stderr
    assert not session_survivors(proc.pid)

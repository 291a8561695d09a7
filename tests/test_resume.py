"""Never lose work: the same inputs give the same report, and a run killed with SIGKILL goes on
where it stopped, fits no finished job again and ends with the report of an uninterrupted run.
Its workers do not outlive it."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlcheck import assess
from dlcheck.data.synthetic import rotated_smooth_table
from dlcheck.store import STORE_NAME, read_history
from tests.helpers import SMOKE_BUDGET, without_timings
from tests.test_interruption import session_survivors

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
ROWS = 400
SCRIPT = f"""
import sys
from dlcheck import assess
from dlcheck.data.synthetic import rotated_smooth_table
from tests.helpers import SMOKE_BUDGET
df, target = rotated_smooth_table(n={ROWS})
assess(df, target, budget=SMOKE_BUDGET, run_dir=sys.argv[1], n_jobs=2).save(sys.argv[1])
"""


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """One whole run with every check, in this process, recorded in a run store."""
    out = tmp_path_factory.mktemp("uninterrupted")
    df, target = rotated_smooth_table(n=ROWS)
    assessment = assess(df, target, budget=SMOKE_BUDGET, run_dir=out, n_jobs=2)
    return assessment.report, read_history(out)[-1]["jobs_fitted"]


def test_same_inputs_give_the_same_report_in_one_process(uninterrupted):
    report, _ = uninterrupted
    df, target = rotated_smooth_table(n=ROWS)
    again = assess(df, target, budget=SMOKE_BUDGET, n_jobs=2).report
    assert without_timings(again) == without_timings(report)


def _stored_jobs(out: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{out / STORE_NAME}?mode=ro", uri=True)
        try:
            return db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:  # not created yet
        return 0


def test_sigkill_then_resume_gives_the_uninterrupted_report_and_fits_no_job_twice(
        uninterrupted, tmp_path):
    report, total_jobs = uninterrupted
    out = tmp_path / "run"
    command = [sys.executable, "-c", SCRIPT, str(out)]
    env = os.environ | {"PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    # The main process alone is killed, as by the out-of-memory killer or a lost terminal,
    # once the benchmark is done and the checks are refitting models in workers.
    victim = subprocess.Popen(command, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 240
    run: list[int] = []
    while victim.poll() is None and time.time() < deadline:
        run = session_survivors(victim.pid, 0)  # with its resource tracker and fork server
        if _stored_jobs(out) >= 30 and len(run) >= 4:  # ... and workers
            break
        time.sleep(0.2)
    assert victim.poll() is None, victim.stderr.read()[-2000:]
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    assert len(run) >= 4
    assert not session_survivors(victim.pid)  # they noticed it within seconds, and ended
    saved = _stored_jobs(out)
    assert 30 <= saved < total_jobs
    assert not (out / "report.json").exists()

    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    killed, finished = read_history(out)
    assert killed["status"] == "killed"
    assert finished["status"] == "finished"
    # Every job the killed run finished was reused; only the others were fitted.
    assert finished["jobs_reused"] == saved
    assert finished["jobs_fitted"] == total_jobs - saved
    final = json.loads((out / "report.json").read_text())
    assert without_timings(final) == without_timings(report)

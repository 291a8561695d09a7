"""The run store: finished jobs saved at once, reused by a rerun with the same inputs, never by
one with other data or options; the runs listed by `dlcheck history`."""

import sqlite3

import numpy as np
import pytest

from dlcheck import assess
from dlcheck.benchmark.jobs import JobResult
from dlcheck.data.synthetic import linear_table
from dlcheck.errors import DataError, WorkerDied
from dlcheck.executors.base import WorkerLost
from dlcheck.store import STORE_NAME, Fingerprint, RunStore, read_history

INPUTS = {"data": "file:abc", "target": "y", "task": "auto", "budget": {"name": "quick"},
          "time_col": None, "group_col": None, "seed": 0, "device": "cpu",
          "dlcheck_version": "0.1.0"}


def _result(key: str) -> JobResult:
    return JobResult(key=key, model="linear", fold_id="r0f0", repeat=0, fraction=1.0,
                     scores={"roc_auc": 0.75}, test_index=np.arange(3),
                     predictions=np.array([0.1, 0.5, 0.9], dtype=np.float32))


def _start(folder, inputs=INPUTS, **kwargs):
    store = RunStore(folder).open()
    return store, store.begin_run(Fingerprint(dict(inputs)), {}, "t.csv", **kwargs)


def test_finished_jobs_survive_and_are_reused_by_the_same_inputs(tmp_path):
    store, start = _start(tmp_path)
    assert start.reusable == 0 and start.fresh_reason is None
    store.save(_result("linear/r0f0/1"))
    store.save(_result("mlp/r0f0/1"))
    store.close()  # as if killed: the run never ended

    store, start = _start(tmp_path)
    assert start.reusable == 2 and start.resumed_from
    found = store.finished(["linear/r0f0/1", "mlp/r0f0/1", "tabm/r0f0/1"])
    assert set(found) == {"linear/r0f0/1", "mlp/r0f0/1"}
    assert found["linear/r0f0/1"].predictions.tolist() == pytest.approx([0.1, 0.5, 0.9])
    assert store.reused == 2
    store.end_run("finished", decision="classical", recommended_model="linear", seconds=3.0)
    store.close()

    runs = read_history(tmp_path)
    assert [r["status"] for r in runs] == ["killed", "finished"]
    assert (runs[1]["jobs_reused"], runs[1]["decision"]) == (2, "classical")


def test_a_job_saved_twice_fails_loudly(tmp_path):
    store, _ = _start(tmp_path)
    store.save(_result("linear/r0f0/1"))
    with pytest.raises(sqlite3.IntegrityError):
        store.save(_result("linear/r0f0/1"))
    store.close()


@pytest.mark.parametrize("change, words", [
    ({"data": "file:def"}, "the data changed"),
    ({"seed": 1}, "--seed changed (0 -> 1)"),
    ({"budget": {"name": "standard"}}, "--budget changed (quick -> standard)"),
    ({"target": "z"}, "--target changed (y -> z)"),
    ({"work_model": 3}, "the way work is counted changed"),
])
def test_changed_data_or_options_start_afresh_and_say_why(tmp_path, change, words):
    store, _ = _start(tmp_path)
    store.save(_result("linear/r0f0/1"))
    store.close()
    store, start = _start(tmp_path, INPUTS | change)
    assert start.reusable == 0
    assert words in start.fresh_reason and "since the run of" in start.fresh_reason
    assert store.finished(["linear/r0f0/1"]) == {}
    store.close()
    with pytest.raises(DataError, match="nothing to resume: " + words.split(" (")[0]):
        _start(tmp_path, INPUTS, resume=True)


def test_resume_without_an_earlier_run_says_so(tmp_path):
    with pytest.raises(DataError, match="nothing to resume: no earlier run"):
        _start(tmp_path, resume=True)


def test_fresh_discards_finished_jobs(tmp_path):
    store, _ = _start(tmp_path)
    store.save(_result("linear/r0f0/1"))
    store.close()
    store, start = _start(tmp_path, fresh=True)
    assert start.reusable == 0 and start.fresh_reason == "--fresh was given"
    assert store.finished(["linear/r0f0/1"]) == {}
    store.close()


def test_two_runs_cannot_write_to_one_folder(tmp_path):
    store = RunStore(tmp_path).open()
    with pytest.raises(DataError, match="another dlcheck run is writing"):
        RunStore(tmp_path).open()
    store.close()
    RunStore(tmp_path).open().close()  # free again once the first has closed


def test_a_corrupt_store_is_a_clear_error(tmp_path):
    (tmp_path / STORE_NAME).write_bytes(b"not a database" * 100)
    with pytest.raises(DataError, match="not a readable run store"):
        RunStore(tmp_path).open()


def test_history_of_a_folder_without_runs_says_what_to_give(tmp_path):
    with pytest.raises(DataError, match="no dlcheck runs are recorded"):
        read_history(tmp_path)


def test_history_command_lists_runs(run_cli, tmp_path):
    store, _ = _start(tmp_path)
    store.end_run("finished", decision="no_signal", recommended_model="dummy", seconds=75.0)
    store.close()
    result = run_cli("history", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "finished" in result.stdout and "no_signal" in result.stdout
    assert "1m 15s" in result.stdout
    missing = run_cli("history", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "not a folder" in missing.stderr


class _DiesAfterThreeJobs:
    """An executor whose worker is killed (as by the out-of-memory killer) after 3 jobs."""

    n_workers = 1

    def map(self, fn, jobs):
        for job in jobs[:3]:
            yield fn(job)
        raise WorkerLost("A process in the process pool was terminated abruptly")


def test_a_killed_worker_keeps_finished_jobs_and_says_how_to_go_on(tmp_path):
    df, target = linear_table(n=120)
    with pytest.raises(WorkerDied, match="lack of memory.*3 finished jobs are saved.*fewer"):
        assess(df, target, run_dir=tmp_path, executor=_DiesAfterThreeJobs())
    (run,) = read_history(tmp_path)
    assert (run["status"], run["jobs_fitted"]) == ("failed", 3)

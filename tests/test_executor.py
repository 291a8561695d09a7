"""The local executor sends the table to each worker once, a job past its time limit is
stopped and reported while the other jobs finish, and no worker outlives its run: not one
whose start Ctrl-C cut short, nor any when the main process is killed with SIGKILL."""

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dlcheck._config import BUDGETS
from dlcheck.benchmark.fitting import BenchmarkData
from dlcheck.benchmark.jobs import Job, JobResult
from dlcheck.benchmark.results import aggregate
from dlcheck.benchmark.runner import run_job
from dlcheck.benchmark.splits import make_folds
from dlcheck.executors.local import LocalExecutor
from dlcheck.models.registry import get_model
from tests.helpers import bench_data, popen_as_a_terminal_would

PICKLED: list[int] = []
"""One entry per time a Counted object was pickled in this (the parent) process."""


class Counted:
    """Stands for the table: counts how often it is pickled to go to a worker."""

    def __reduce__(self):
        PICKLED.append(os.getpid())
        return (Counted, ())


def _echo(job: Job, table: Counted) -> JobResult:
    return JobResult(key=job.key, model=job.model, fold_id=job.fold.id, repeat=0,
                     fraction=1.0, extras={"pid": os.getpid()})


def _jobs(n: int) -> list[Job]:
    folds = make_folds(np.arange(40) % 2, True, 2, 1, 0).folds
    return [Job(f"m{i}", folds[i % 2]) for i in range(n)]


def test_the_function_and_its_data_travel_once_per_worker_not_once_per_job():
    PICKLED.clear()
    jobs = _jobs(12)
    results = list(LocalExecutor(n_jobs=2).map(partial(_echo, table=Counted()), jobs))
    assert sorted(r.key for r in results) == sorted(j.key for j in jobs)
    workers = {r.extras["pid"] for r in results}
    assert os.getpid() not in workers  # they ran in worker processes
    assert 1 <= len(PICKLED) <= 2  # once per worker started, not 12 times


def _data(job_seconds: float, name: str = "tiny") -> BenchmarkData:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(3000, 6)), columns=[f"x{i}" for i in range(6)])
    y = (X["x0"] + rng.normal(0, 1, 3000) > 0).to_numpy().astype(np.int64)
    # 3,000 trees make a forest fit that takes far longer than its limit.
    budget = replace(BUDGETS["quick"], name=name, job_seconds=job_seconds, forest_trees=3000)
    return bench_data(X=X, y=y, task="binary", n_classes=2, numeric=list(X.columns),
                         categorical=[], budget=budget, seed=0, device="cpu")


def _run(n_jobs: int, data: BenchmarkData) -> tuple[list[JobResult], float, list]:
    split = make_folds(data.y, True, 2, 1, 0)
    jobs = [Job("random_forest", split.folds[0])] + [Job(m, f) for m in ("dummy", "linear")
                                                     for f in split.folds]
    started = time.perf_counter()
    results = list(LocalExecutor(n_jobs=n_jobs).map(partial(run_job, data=data), jobs))
    return results, time.perf_counter() - started, split


def test_a_job_past_its_time_limit_is_stopped_and_reported_and_the_others_finish():
    # 2 s: a worker's first fit (0.2 s, imports included) must fit in it on a loaded machine.
    data = _data(job_seconds=2.0)
    results, seconds, split = _run(2, data)  # in worker processes
    stopped = [r for r in results if r.model == "random_forest"]
    assert len(stopped) == 1 and not stopped[0].ok
    assert stopped[0].error == "stopped after 2 s, its share of the tiny budget (job_seconds)"
    assert stopped[0].fit_seconds < 4.5
    assert all(r.ok for r in results if r.model != "random_forest"), results
    assert seconds < 30  # the 3,000-tree forest alone would take minutes here
    failures = aggregate(results, [get_model(m) for m in ("dummy", "linear", "random_forest")],
                         "binary", "roc_auc", split).failures
    assert list(failures) == ["random_forest"] and "stopped after 2 s" in failures[
        "random_forest"]


def test_in_a_thread_without_signals_the_deadline_still_stops_the_job():
    """A threaded or remote executor runs jobs where SIGALRM cannot reach: boosting rounds,
    network batches and tuning trials check the job's deadline themselves."""
    data = _data(job_seconds=1.0)
    split = make_folds(data.y, True, 2, 1, 0)
    job = Job("lightgbm", split.folds[0], params=(("learning_rate", 1e-6),
                                                  ("n_estimators", 10**6)))
    out = []
    worker = threading.Thread(target=lambda: out.append(run_job(job, data)))
    started = time.perf_counter()
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "the job ran on past its deadline"
    [result] = out
    assert not result.ok and result.error.startswith("stopped after 1 s")
    assert "job_time_limit" in result.notes and time.perf_counter() - started < 10


def test_in_the_main_process_the_limit_stops_the_job_and_leaves_no_alarm_behind():
    before = signal.getsignal(signal.SIGALRM)
    results, _, _ = _run(1, _data(job_seconds=0.5))  # inline, in this process's main thread
    assert [r.model for r in results if not r.ok] == ["random_forest"]
    assert "stopped after 0.5 s" in results[0].error
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    time.sleep(0.6)  # no stray alarm fires after the job: this test would die or raise here


def test_the_table_reaches_a_worker_unchanged_with_one_object_per_category_value():
    rng = np.random.default_rng(0)
    values = np.array([f"level {v}" for v in rng.integers(0, 3, 1000)], dtype=object)
    values[::7] = np.nan
    X = pd.DataFrame({"x": rng.normal(size=1000), "c": pd.Series(values, dtype=object)})
    data = bench_data(X=X, y=np.zeros(1000, dtype=np.int64), task="binary", n_classes=2,
                         numeric=["x"], categorical=["c"], budget=BUDGETS["quick"], seed=0)
    assert len({id(v) for v in X["c"] if isinstance(v, str)}) > 800
    sent = pickle.loads(pickle.dumps(data))
    pd.testing.assert_frame_equal(sent.inputs.X, X)
    assert len({id(v) for v in sent.inputs.X["c"] if isinstance(v, str)}) == 3
    assert sent.inputs.X is not X and data.inputs.X is X  # the caller's table is as it was


def test_a_stopped_job_is_reported_with_advice_on_the_budget():
    from types import SimpleNamespace

    from dlcheck.pipeline import _benchmark_findings

    results = SimpleNamespace(
        failures={"tabm": "stopped after 300 s, its share of the quick budget (job_seconds)",
                  "mlp": "ValueError: bad input"}, timed_out=["tabm"], undefined_folds=[],
        models=[])
    advice = {f.evidence["model"]: f.advice for f in _benchmark_findings(results)}
    assert "larger --budget" in advice["tabm"] and "job_seconds" in advice["tabm"]
    assert "Report this" in advice["mlp"]


# The fork server's rules (signals, ending with the main process) without its heavy imports:
# it is ready in a blink. Jobs are seconds to sleep.
_LIGHT_RUN = """
import sys, time
from dlcheck.executors import local as executor
executor.PRELOADED_MODULES = ["dlcheck.executors._fork_server"]
list(executor.LocalExecutor(2).map(time.sleep, [0, 0]))
print("ready", flush=True)
sys.stdin.readline()
try:
    list(executor.LocalExecutor(2).map(time.sleep, [60, 60]))
except KeyboardInterrupt as stop:
    last = stop  # kept, as a notebook keeps the last traceback (and so the pool's queues)
    print("interrupted", flush=True)
time.sleep(60)  # the caller lives on: the workers must not
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie holds no memory and no file


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split() if _alive(int(p))]


def _fork_server(main: int) -> int:
    deadline = time.time() + 60
    while time.time() < deadline:
        for pid in _children(main):
            if b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        time.sleep(0.05)
    raise AssertionError("no fork server started")


def _until(condition, seconds: float) -> bool:
    deadline = time.time() + seconds
    while not condition() and time.time() < deadline:
        time.sleep(0.05)
    return condition()


@pytest.fixture
def light_run():
    # SIGINT not ignored in it, even when the test session runs in the background.
    proc = popen_as_a_terminal_would([sys.executable, "-c", _LIGHT_RUN], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n"
    yield proc
    proc.kill()
    proc.wait()


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_ctrl_c_while_a_worker_starts_stops_that_worker_with_the_others(light_run):
    server = _fork_server(light_run.pid)
    os.kill(server, signal.SIGSTOP)  # the next worker's start now waits, as for slow imports
    try:
        light_run.stdin.write("go\n")
        light_run.stdin.flush()
        time.sleep(1)  # the main process is inside the start of the first worker
        light_run.send_signal(signal.SIGINT)
        time.sleep(0.5)
    finally:
        os.kill(server, signal.SIGCONT)  # it forks that worker at last
    assert light_run.stdout.readline() == "interrupted\n"
    # Cut short, that start would leave a worker the pool never knew of, waiting for jobs.
    assert _until(lambda: not _children(server), 10), _children(server)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_the_workers_and_the_fork_server_end_with_a_main_process_killed_by_sigkill(light_run):
    server = _fork_server(light_run.pid)
    light_run.stdin.write("go\n")
    light_run.stdin.flush()
    assert _until(lambda: len(_children(server)) == 2, 30)
    run = [*_children(light_run.pid), *_children(server)]  # the resource tracker too
    light_run.kill()
    light_run.wait()
    assert _until(lambda: not any(_alive(pid) for pid in run), 5), \
        [pid for pid in run if _alive(pid)]


def test_a_job_runs_with_its_thread_limit_even_after_new_libraries_load():
    # The controller is made once per process for speed; a module imported later (which may
    # load another BLAS or OpenMP library) makes it look again.
    from threadpoolctl import threadpool_info

    from dlcheck.benchmark.runner import thread_limits

    with thread_limits(1):
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
    import sklearn.ensemble  # noqa: F401  (whatever it loads is limited as well)

    with thread_limits(1):
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())


def _pid(job: Job) -> JobResult:
    return JobResult(key=job.key, model=job.model, fold_id=job.fold.id, repeat=0,
                     fraction=1.0, extras={"pid": os.getpid()})


def _other_pid(job: Job) -> JobResult:
    return _pid(job)


def test_the_workers_serve_every_map_of_one_function_and_close_stops_them():
    executor = LocalExecutor(n_jobs=2)
    try:
        first = {r.extras["pid"] for r in executor.map(_pid, _jobs(8))}
        again = {r.extras["pid"] for r in executor.map(_pid, _jobs(8))}
        single = {r.extras["pid"] for r in executor.map(_pid, _jobs(1))}
        assert again <= first and single <= first  # no worker started anew
        other = {r.extras["pid"] for r in executor.map(_other_pid, _jobs(8))}
        assert not other & first  # another function: other workers, the old ones stopped
    finally:
        executor.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in other | first):
        time.sleep(0.1)
    assert not any(_alive(p) for p in other | first)
    # A closed executor starts workers again when asked.
    assert len(list(executor.map(_pid, _jobs(4)))) == 4
    executor.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purpose
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_a_worker_killed_between_maps_is_replaced_and_no_job_is_lost():
    executor = LocalExecutor(n_jobs=2)
    try:
        first = {r.extras["pid"] for r in executor.map(_pid, _jobs(6))}
        os.kill(next(iter(first)), signal.SIGKILL)  # the system taking an idle worker
        time.sleep(0.5)
        results = list(executor.map(_pid, _jobs(6)))
        assert len(results) == 6
    finally:
        executor.close()

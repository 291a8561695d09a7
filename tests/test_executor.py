"""The local executor sends the table to each worker once, and a job past its time limit is
stopped and reported while the other jobs finish."""

import os
import pickle
import signal
import time
from dataclasses import replace
from functools import partial

import numpy as np
import pandas as pd

from dlcheck._config import BUDGETS
from dlcheck.benchmark.executor import LocalExecutor
from dlcheck.benchmark.jobs import Job, JobResult
from dlcheck.benchmark.results import aggregate
from dlcheck.benchmark.runner import BenchmarkData, run_job
from dlcheck.benchmark.splits import make_folds
from dlcheck.models.registry import get_model

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
    return BenchmarkData(X=X, y=y, task="binary", n_classes=2, numeric=list(X.columns),
                         categorical=[], budget=budget, seed=0, device="cpu")


def _run(n_jobs: int, data: BenchmarkData) -> tuple[list[JobResult], float, list]:
    split = make_folds(data.y, True, 2, 1, 0)
    jobs = [Job("random_forest", split.folds[0])] + [Job(m, f) for m in ("dummy", "linear")
                                                     for f in split.folds]
    started = time.perf_counter()
    results = list(LocalExecutor(n_jobs=n_jobs).map(partial(run_job, data=data), jobs))
    return results, time.perf_counter() - started, split


def test_a_job_past_its_time_limit_is_stopped_and_reported_and_the_others_finish():
    data = _data(job_seconds=0.5)
    results, seconds, split = _run(2, data)  # in worker processes
    stopped = [r for r in results if r.model == "random_forest"]
    assert len(stopped) == 1 and not stopped[0].ok
    assert stopped[0].error == "stopped after 0.5 s, its share of the tiny budget (job_seconds)"
    assert stopped[0].fit_seconds < 3
    assert all(r.ok for r in results if r.model != "random_forest")
    assert seconds < 30  # the 3,000-tree forest alone would take minutes here
    failures = aggregate(results, [get_model(m) for m in ("dummy", "linear", "random_forest")],
                         "binary", "roc_auc", split).failures
    assert list(failures) == ["random_forest"] and "stopped after 0.5 s" in failures[
        "random_forest"]


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
    data = BenchmarkData(X=X, y=np.zeros(1000, dtype=np.int64), task="binary", n_classes=2,
                         numeric=["x"], categorical=["c"], budget=BUDGETS["quick"], seed=0)
    assert len({id(v) for v in X["c"] if isinstance(v, str)}) > 800
    sent = pickle.loads(pickle.dumps(data))
    pd.testing.assert_frame_equal(sent.X, X)
    assert len({id(v) for v in sent.X["c"] if isinstance(v, str)}) == 3
    assert sent.X is not X and data.X is X  # the caller's table is left as it was


def test_a_stopped_job_is_reported_with_advice_on_the_budget():
    from types import SimpleNamespace

    from dlcheck.assessment import _benchmark_findings

    results = SimpleNamespace(
        failures={"tabm": "JobTimeout: stopped after 300 s, its share of the quick budget",
                  "mlp": "ValueError: bad input"}, undefined_folds=[], models=[])
    advice = {f.evidence["model"]: f.advice for f in _benchmark_findings(results)}
    assert "larger --budget" in advice["tabm"] and "job_seconds" in advice["tabm"]
    assert "Report this" in advice["mlp"]

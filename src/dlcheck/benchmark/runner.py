"""Run one job: fit a model's pipeline on a fold's training rows, score it on the test rows,
and measure what it costs. Runs in a worker process; everything it needs travels with it."""

from __future__ import annotations

import signal
import threading
import time
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from dlcheck._config import Budget
from dlcheck.benchmark.costs import count_parameters, serialized_size
from dlcheck.benchmark.jobs import Job, JobResult
from dlcheck.benchmark.scoring import METRICS, PRIMARY_METRIC, score_predictions
from dlcheck.models.registry import ModelContext, get_model


@dataclass(frozen=True)
class BenchmarkData:
    """The prepared table and everything a worker needs to build and score models."""

    X: pd.DataFrame
    y: np.ndarray
    task: str
    n_classes: int
    numeric: list[str]
    categorical: list[str]
    budget: Budget
    seed: int
    n_threads: int = 1
    imbalance_ratio: float = 1.0
    device: str = "auto"
    groups: np.ndarray | None = None
    """Group of each row (--group-col), for splits made inside a job (tuning)."""
    times: np.ndarray | None = None
    """Time of each row (--time-col), for splits made inside a job (tuning)."""

    def context(self) -> ModelContext:
        return ModelContext(
            task=self.task, numeric=self.numeric, categorical=self.categorical,
            budget=self.budget, random_state=self.seed, n_threads=self.n_threads,
            imbalance_ratio=self.imbalance_ratio, device=self.device,
        )

    @cached_property
    def _X_to_send(self) -> pd.DataFrame:
        return share_equal_strings(self.X, self.categorical)

    def __getstate__(self) -> dict:
        """What travels to a worker: the same table, with equal category strings as one shared
        object each, so the pickle and the worker's copy hold each distinct value once (at
        1M rows, 5 category columns shrink by about 100 MB in every worker). Made once."""
        state = {k: v for k, v in self.__dict__.items() if k != "_X_to_send"}
        state["X"] = self._X_to_send
        return state


def share_equal_strings(X: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """X with each object column of `columns` rebuilt so that equal values are one object:
    the same values, missing ones as they were, held as references to a few strings."""
    out = X.copy(deep=False)
    for name in columns:
        col = X[name]
        if col.dtype != object:
            continue
        codes, uniques = pd.factorize(col)
        values = np.asarray(uniques, dtype=object)[np.maximum(codes, 0)]
        missing = codes < 0
        values[missing] = col.to_numpy()[missing]  # the very missing marker (NaN, None)
        out[name] = pd.Series(values, index=col.index, dtype=object)
    return out


def training_rows(job: Job, data: BenchmarkData, slow: bool) -> np.ndarray:
    """The training rows a job uses: its fraction of the fold, capped for slow models."""
    train = job.fold.train
    n = len(train)
    limit = round(n * job.fraction)
    if slow:
        limit = min(limit, data.budget.max_rows_slow)
    if limit >= n:
        return train
    rng = np.random.default_rng([data.seed, job.fold.repeat, job.fold.index])
    return np.sort(rng.permutation(train)[:limit])


def permuted_labels(data: BenchmarkData, permutation: int) -> np.ndarray:
    """The labels of a null run: the same shuffle for every fold of one permutation, as in
    scikit-learn's permutation_test_score, within the exchangeability blocks of the data
    (groups, time blocks; see dlcheck.benchmark.permutations)."""
    if permutation == 0:
        return data.y
    from dlcheck.benchmark.permutations import permute_labels

    return permute_labels(data.y, np.random.default_rng([data.seed, 7919, permutation]),
                          groups=data.groups, times=data.times)


def fit_params(estimator, data: BenchmarkData, rows: np.ndarray) -> dict:
    """What a model's own inner split (a network's early stopping) needs to split as the
    folds are: the times or the groups of its training rows, for models that take them."""
    import inspect

    accepted = inspect.signature(estimator.fit).parameters
    if data.times is not None and "split_order" in accepted:
        return {"model__split_order": np.asarray(data.times)[rows]}
    if data.groups is not None and "split_groups" in accepted:
        return {"model__split_groups": np.asarray(data.groups)[rows]}
    return {}


class JobTimeout(BaseException):
    """Raised in a job that ran past `Budget.job_seconds`. A BaseException, like
    KeyboardInterrupt, so that no `except Exception` inside a library (a failing Optuna trial,
    a fallback path) swallows it: only `run_job` catches it."""


@contextmanager
def time_limit(seconds: float, message: str) -> Iterator[None]:
    """Raise JobTimeout(message) in this thread once `seconds` have passed.

    SIGALRM interrupts Python code wherever it is, so a fit stops at its next Python-level
    step (a boosting iteration, a tree of a forest, a batch of a network); a single call into
    C that never returns is not interrupted. Only the main thread receives signals: in another
    thread, where a timer already runs (the caller's own SIGALRM), or where there is no
    SIGALRM (Windows), the job runs without a limit. The previous handler is restored and the
    timer cleared on the way out, whatever happens, so Ctrl-C and the caller's own signals
    work as before between and during jobs.
    """
    usable = (seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if not usable:
        yield
        return
    armed = [True]

    def on_alarm(signum, frame):
        if armed[0]:  # at most once, and never after the job has left the block
            armed[0] = False
            raise JobTimeout(message)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            armed[0] = False  # an alarm due right here raises once, and the cleanup still runs
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def run_job(job: Job, data: BenchmarkData) -> JobResult:
    """Fit, predict, score and measure one job; a failure is returned, never raised.

    A job that runs past `data.budget.job_seconds` is stopped and returned as failed, with
    an error that says so."""
    result = JobResult(key=job.key, model=job.label, fold_id=job.fold.id,
                       repeat=job.fold.repeat, fraction=job.fraction,
                       permutation=job.permutation)
    limit = data.budget.job_seconds
    started = time.perf_counter()
    try:
        with time_limit(limit, f"stopped after {limit:g} s, its share of the "
                               f"{data.budget.name} budget (job_seconds)"), \
                threadpool_limits(limits=data.n_threads), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter; the scores say what matters
            _fit_and_score(job, data, result)
    except JobTimeout as exc:
        # A half-measured job is no measure: drop its partial figures, keep why and when.
        result = JobResult(key=job.key, model=job.label, fold_id=job.fold.id,
                           repeat=job.fold.repeat, fraction=job.fraction,
                           permutation=job.permutation, error=str(exc),
                           fit_seconds=time.perf_counter() - started)
        result.notes.append("job_time_limit")
    except Exception as exc:  # one failing model must not sink the benchmark
        last = traceback.extract_tb(exc.__traceback__)[-1]
        result.error = f"{type(exc).__name__}: {exc} (at {last.name}:{last.lineno})"
    return result


def _fit_and_score(job: Job, data: BenchmarkData, result: JobResult) -> None:
    spec = get_model(job.model)
    train = training_rows(job, data, spec.slow)
    test = job.fold.test
    params = dict(job.params)
    X_train, X_test = data.X.iloc[train], data.X.iloc[test]
    y = permuted_labels(data, job.permutation)
    if job.tune_trials:
        from dlcheck.benchmark.tuning import tune

        params, result.extras["tuning"] = tune(spec, X_train, y[train], data, job.tune_trials,
                                               job.fold.id)
        if result.extras["tuning"]["defaults_won"]:
            return  # the benchmark already fitted and scored the defaults
    pipeline = spec.build(data.context(), params)

    start = time.perf_counter()
    pipeline.fit(X_train, y[train], **fit_params(pipeline[-1], data, train))
    result.fit_seconds = time.perf_counter() - start

    start = time.perf_counter()
    output = _predict(pipeline, X_test, data)
    result.predict_ms_per_1k = (time.perf_counter() - start) * 1000.0 / len(test) * 1000.0

    result.n_train_rows = len(train)
    result.n_train_available = len(job.fold.train)
    if job.permutation or job.fraction < 1.0:
        # A null run or a learning-curve point is read for its primary score alone: the other
        # metrics, the costs and the predictions would cost more than the fit of a small model.
        metric = PRIMARY_METRIC[data.task]
        result.scores = {metric: METRICS[metric].fn(y[test], output, data.n_classes)}
    else:
        result.scores = score_predictions(data.task, y[test], output, data.n_classes)
        result.size_bytes = serialized_size(pipeline)
        result.n_params = count_parameters(pipeline[-1])
        result.test_index = test
        result.predictions = output.astype(np.float32)
    result.work = spec.work_seconds(len(train), X_train.shape[1], pipeline[-1])
    log = getattr(pipeline[-1], "training_log_", None)
    if log is not None:
        result.epochs, result.stopped_by = log.epochs, log.stopped_by
        result.notes.append(f"{log.stopped_by}: {log.epochs} epochs, best at {log.best_epoch}")
    if job.probe:
        from dlcheck.probes import FittedFold, run_probe

        fitted = FittedFold(pipeline, X_train, y[train], X_test, y[test], data, job.fold.id)
        result.extras[job.probe] = run_probe(job.probe, fitted)


def predict_output(pipeline, X: pd.DataFrame, data: BenchmarkData) -> np.ndarray:
    """Class probabilities (one column per class of the whole table) or regression values."""
    return _predict(pipeline, X, data)


def _predict(pipeline, X: pd.DataFrame, data: BenchmarkData) -> np.ndarray:
    if data.task == "regression":
        return np.asarray(pipeline.predict(X), dtype=float)
    proba = pipeline.predict_proba(X)
    # A training fold may lack a rare class: put each column where its class belongs.
    full = np.zeros((len(X), data.n_classes))
    full[:, pipeline.classes_.astype(int)] = proba
    return full

"""Run one job: fit a model's pipeline on a fold's training rows, score it on the test rows,
and measure what it costs. Runs in a worker process; everything it needs travels with it."""

from __future__ import annotations

import time
import traceback
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from dlcheck._config import Budget
from dlcheck.benchmark.costs import count_parameters, serialized_size
from dlcheck.benchmark.jobs import Job, JobResult
from dlcheck.benchmark.scoring import score_predictions
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
    scikit-learn's permutation_test_score."""
    if permutation == 0:
        return data.y
    return np.random.default_rng([data.seed, 7919, permutation]).permutation(data.y)


def run_job(job: Job, data: BenchmarkData) -> JobResult:
    """Fit, predict, score and measure one job; a failure is returned, never raised."""
    result = JobResult(key=job.key, model=job.label, fold_id=job.fold.id,
                       repeat=job.fold.repeat, fraction=job.fraction,
                       permutation=job.permutation)
    try:
        with threadpool_limits(limits=data.n_threads), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter; the scores say what matters
            _fit_and_score(job, data, result)
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
    if job.tune_seconds:
        from dlcheck.benchmark.tuning import tune

        params, result.extras["tuning"] = tune(spec, X_train, y[train], data, job.tune_seconds,
                                               job.fold.id)
        if not params:  # the defaults won: the benchmark already fitted and scored them
            return
    pipeline = spec.build(data.context(), params)

    start = time.perf_counter()
    pipeline.fit(X_train, y[train])
    result.fit_seconds = time.perf_counter() - start

    start = time.perf_counter()
    output = _predict(pipeline, X_test, data)
    result.predict_ms_per_1k = (time.perf_counter() - start) * 1000.0 / len(test) * 1000.0

    result.scores = score_predictions(data.task, y[test], output, data.n_classes)
    result.size_bytes = serialized_size(pipeline)
    result.n_params = count_parameters(pipeline[-1])
    result.n_train_rows = len(train)
    result.n_train_available = len(job.fold.train)
    result.test_index = test
    result.predictions = output.astype(np.float32)
    log = getattr(pipeline[-1], "training_log_", None)
    if log is not None:
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

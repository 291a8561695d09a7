"""Run one job: fit a model's pipeline on a fold's training rows, score it on the test rows,
and measure what it costs. Runs in a worker process; everything it needs travels with it."""

from __future__ import annotations

import sys
import time
import traceback
import warnings

import numpy as np
from threadpoolctl import ThreadpoolController

from dlcheck.benchmark.costs import count_parameters, serialized_size
from dlcheck.benchmark.fitting import BenchmarkData, FittedFold, fit_params, predict_output
from dlcheck.benchmark.jobs import Job, JobResult
from dlcheck.benchmark.preprocessed import prepared
from dlcheck.benchmark.scoring import METRICS, PRIMARY_METRIC, score_predictions
from dlcheck.deadlines import JobTimeout, alarm, job_deadline
from dlcheck.models.registry import get_model


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


_controller: list = [None, -1]
"""This process's ThreadpoolController and the number of modules loaded when it was made."""


def thread_limits(n_threads: int):
    """Limit the BLAS and OpenMP pools to `n_threads` for a job. `threadpool_limits` finds
    the loaded libraries anew each time (6.7 ms with torch, scikit-learn and LightGBM loaded,
    more than a small model's fit; a permutation test runs hundreds of jobs): a controller
    made once serves every job, made again when new modules may have loaded a library."""
    if _controller[0] is None or _controller[1] != len(sys.modules):
        _controller[:] = [ThreadpoolController(), len(sys.modules)]
    return _controller[0].limit(limits=n_threads)


def permuted_labels(data: BenchmarkData, permutation: int) -> np.ndarray:
    """The labels of a null run: the same shuffle for every fold of one permutation, as in
    scikit-learn's permutation_test_score, within the exchangeability blocks of the data
    (groups, time blocks; see dlcheck.benchmark.permutations)."""
    if permutation == 0:
        return data.y
    from dlcheck.benchmark.permutations import permute_labels

    return permute_labels(data.y, np.random.default_rng([data.seed, 7919, permutation]),
                          groups=data.groups, times=data.times)


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
        message = (f"stopped after {limit:g} s, its share of the {data.budget.name} budget "
                   "(job_seconds)")
        with job_deadline(limit, message), alarm(limit, message), \
                thread_limits(data.n_threads), warnings.catch_warnings():
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
    spec = get_model(job.model, data.kind)
    train = training_rows(job, data, spec.slow)
    test = job.fold.test
    params = dict(job.params)
    X_train, X_test = data.rows(train), data.rows(test)
    y = permuted_labels(data, job.permutation)
    if job.choose_params:
        chosen, result.extras[job.choose_params.name] = job.choose_params(
            spec, train, y[train], data, job.fold.id)
        if chosen is None:
            return  # the benchmark already fitted and scored these parameters
        params = chosen
    cache = data.fit_cache
    # Only full fits on the true labels are kept, and found again by what defines them.
    kept = cache.key(job.model, job.fold.id, params, train, test) \
        if cache is not None and not job.permutation and job.fraction == 1.0 else None
    loaded = cache.load(kept) if kept else None
    prep = None
    if loaded is not None:
        pipeline, figures = loaded
        result.fit_seconds = figures["fit_seconds"]
    else:
        pipeline = spec.build(data.context(), params)
        kwargs = fit_params(spec, pipeline[-1], data, train)
        # The fold's preprocessing, fitted on its inputs alone, may be this worker's already.
        prep = prepared(pipeline[0], spec.preprocessing, data.inputs, train, test, X_train,
                        X_test)
        start = time.perf_counter()
        if prep is None:
            pipeline.fit(X_train, y[train], **kwargs)
        else:
            pipeline.steps[0] = (pipeline.steps[0][0], prep.transformer)
            pipeline[-1].fit(prep.X_train, y[train],
                             **{k.removeprefix("model__"): v for k, v in kwargs.items()})
        result.fit_seconds = time.perf_counter() - start + (prep.fit_seconds if prep else 0.0)

    start = time.perf_counter()
    if prep is None:
        output = predict_output(pipeline, X_test, data)
    else:  # the model step on the test rows as the pipeline would have transformed them
        output = predict_output(pipeline[-1], prep.X_test, data)
    seconds = time.perf_counter() - start + (prep.transform_seconds if prep else 0.0)
    result.predict_ms_per_1k = seconds * 1000.0 / len(test) * 1000.0

    result.n_train_rows = len(train)
    result.n_train_available = len(job.fold.train)
    if job.permutation or job.fraction < 1.0:
        # A null run or a learning-curve point is read for its primary score alone: the other
        # metrics, the costs and the predictions would cost more than the fit of a small model.
        metric = PRIMARY_METRIC[data.task]
        result.scores = {metric: METRICS[metric].fn(y[test], output, data.n_classes)}
    else:
        result.scores = score_predictions(data.task, y[test], output, data.n_classes)
        if loaded is not None:
            result.size_bytes = loaded[1]["size_bytes"]
        elif kept and job.keep_fit:
            result.size_bytes = cache.save(kept, pipeline, {"fit_seconds": result.fit_seconds})
        else:
            result.size_bytes = serialized_size(pipeline)
        result.n_params = count_parameters(pipeline[-1])
        result.test_index = test
        result.predictions = output.astype(np.float32)
    rows_part, result.step_work = spec.work_parts(len(train), data.inputs.n_features,
                                                  pipeline[-1])
    result.work = rows_part + result.step_work
    log = getattr(pipeline[-1], "training_log_", None)
    if log is not None:
        result.epochs, result.stopped_by = log.epochs, log.stopped_by
        result.notes.append(f"{log.stopped_by}: {log.epochs} epochs, best at {log.best_epoch}")
    if job.after_fit:
        fitted = FittedFold(pipeline, X_train, y[train], X_test, y[test], data, job.fold.id)
        result.extras[job.after_fit.name] = job.after_fit(fitted)



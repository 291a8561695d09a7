"""Tuning inside one outer fold: Optuna searches on an inner split of the fold's training rows
with a fixed number of trials, against the ladder's defaults. The outer test rows are never
seen, so the tuned model's score on them is an honest (nested) estimate.

Both sides of the comparison get the same search: the same number of trials
(`Budget.tuning_trials`, the defaults first) on the same inner rows, at most
`Budget.tuning_rows` of them (a seeded subsample of the inner split, the same whatever the
model), so that neither a fast model's many trials in a few seconds nor a slow network's one
trial decide who wins. A network's trials train for at most `Budget.tuning_max_epochs` epochs
(early stopping as usual): the trials rank configurations, and the winner's refit on the
whole fold trains until early stopping. No clock is read: the same seed gives the same search
on any machine."""

from __future__ import annotations

import time
import zlib
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from dlcheck.benchmark.fitting import BenchmarkData, fit_params, predict_output
from dlcheck.benchmark.jobs import Hook
from dlcheck.benchmark.scoring import METRICS, PRIMARY_METRIC
from dlcheck.deadlines import check_deadline
from dlcheck.models.spec import ModelSpec
from dlcheck.models.validation import group_holdout

INNER_VALIDATION = 0.2
"""Share of the fold's training rows that scores the trials."""


def tune(spec: ModelSpec, train: np.ndarray, y: np.ndarray, data: BenchmarkData,
         n_trials: int, fold_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Tune on the rows `train` of the data (labels `y`, one per row of `train`): (best
    parameters, figures of the search); `figures["defaults_won"]` says whether the defaults
    stayed best."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = time.perf_counter()
    seed = zlib.crc32(f"{data.seed}/{fold_id}".encode()) % 2**31
    fit_idx, val_idx = inner_split(train, y, data, seed)
    rows_available = len(fit_idx)
    if len(fit_idx) > data.budget.tuning_rows:
        fit_idx = np.sort(np.random.default_rng(seed).permutation(fit_idx)
                          [:data.budget.tuning_rows])
    metric = METRICS[PRIMARY_METRIC[data.task]]
    context = data.context()
    space = spec.search_space
    rows_fit = train[fit_idx]
    X_fit, y_fit, X_val = data.rows(rows_fit), y[fit_idx], data.rows(train[val_idx])

    capped_trials = []

    def inner_score(params: dict[str, Any]) -> float:
        check_deadline()  # between trials: the job's time limit, wherever the job runs
        pipeline = spec.build(context, params)
        if hasattr(pipeline[-1], "max_epochs"):  # a network: trials train for fewer epochs
            pipeline[-1].set_params(max_epochs=min(pipeline[-1].max_epochs,
                                                   data.budget.tuning_max_epochs))
        pipeline.fit(X_fit, y_fit, **fit_params(spec, pipeline[-1], data, rows_fit))
        log = getattr(pipeline[-1], "training_log_", None)
        capped_trials.append(log is not None and log.stopped_by == "max_epochs")
        output = predict_output(pipeline, X_val, data)
        score = metric.fn(y[val_idx], output, data.n_classes)
        return score if np.isfinite(score) else (-np.inf if metric.greater_is_better
                                                 else np.inf)

    default_score = inner_score({})
    direction = "maximize" if metric.greater_is_better else "minimize"
    study = optuna.create_study(direction=direction,
                                sampler=optuna.samplers.TPESampler(seed=seed))
    if n_trials > 1:  # the defaults were the first trial
        study.optimize(lambda trial: inner_score(space(trial, context)),
                       n_trials=n_trials - 1, catch=(ValueError, RuntimeError))
    finished = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    best_params: dict[str, Any] = {}
    best_score = default_score
    if finished:
        trial = study.best_trial
        better = trial.value > default_score if metric.greater_is_better \
            else trial.value < default_score
        if better:
            best_params = space(optuna.trial.FixedTrial(trial.params), context)
            best_score = float(trial.value)
    figures = {
        "split": "time" if data.times is not None else
        "grouped" if data.groups is not None else "random",
        "trials": len(finished) + 1,  # the defaults count as the first trial
        "failed_trials": len(study.trials) - len(finished),
        "trial_rows": int(len(fit_idx)),
        "inner_rows_available": int(rows_available),
        "validation_rows": int(len(val_idx)),
        "trials_at_epoch_cap": int(sum(capped_trials)),
        "seconds": round(time.perf_counter() - started, 2),
        "inner_default_score": float(default_score),
        "inner_best_score": float(best_score),
        "defaults_won": not best_params,
        "params": best_params,
    }
    if not np.isfinite(default_score):
        figures["note"] = ("the inner validation rows could not be scored (a class missing): "
                           "the defaults were kept")
    return best_params, figures


def inner_split(rows: np.ndarray, y: np.ndarray, data: BenchmarkData, seed: int) \
        -> tuple[np.ndarray, np.ndarray]:
    """Positions within `rows` (rows of the dataset, labels `y`) of the rows the trials fit
    on and of those that score them, split as the outer folds are: the latest rows validate
    with --time-col, whole groups with --group-col."""
    positions = np.arange(len(y))
    if data.times is not None:
        order = np.argsort(data.times[rows], kind="stable")
        cut = round(len(order) * (1 - INNER_VALIDATION))
        return np.sort(order[:cut]), np.sort(order[cut:])
    if data.groups is not None and len(np.unique(data.groups[rows])) >= 2:
        return group_holdout(data.groups[rows], INNER_VALIDATION, seed)
    classification = data.task != "regression"
    stratify = y if classification and np.bincount(y).min() >= 2 else None
    fit_idx, val_idx = train_test_split(positions, test_size=INNER_VALIDATION,
                                        random_state=seed, stratify=stratify)
    return fit_idx, val_idx


def choose_params(spec: ModelSpec, train: np.ndarray, y: np.ndarray, data: BenchmarkData,
                  fold_id: str, trials: int) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """A job's `choose_params` hook: the tuned parameters to fit with, or None when the
    defaults stayed best (the benchmark has already fitted and scored them)."""
    params, figures = tune(spec, train, y, data, trials, fold_id)
    return (None if figures["defaults_won"] else params), figures


def tuning_hook(trials: int) -> Hook:
    """The hook that tunes a job's model with `trials` trials inside its fold."""
    return Hook("tuning", f"{__name__}:choose_params", (("trials", trials),))

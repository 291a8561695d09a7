"""Tuning inside one outer fold: Optuna searches on an inner split of the fold's training rows
for a fixed wall-clock budget, against the ladder's defaults. The outer test rows are never seen,
so the tuned model's score on them is an honest (nested) estimate."""

from __future__ import annotations

import time
import zlib
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupShuffleSplit, train_test_split

from dlcheck.benchmark.runner import BenchmarkData, predict_output
from dlcheck.benchmark.scoring import METRICS, PRIMARY_METRIC
from dlcheck.models.registry import ModelSpec

INNER_VALIDATION = 0.2
"""Share of the fold's training rows that scores the trials."""


def tune(spec: ModelSpec, X: pd.DataFrame, y: np.ndarray, data: BenchmarkData,
         seconds: float, fold_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(best parameters, figures of the search). Empty parameters: the defaults won."""
    import optuna

    from dlcheck.models.search_spaces import SEARCH_SPACES

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = time.perf_counter()
    seed = zlib.crc32(f"{data.seed}/{fold_id}".encode())
    fit_idx, val_idx = inner_split(X, y, data, seed % 2**31)
    metric = METRICS[PRIMARY_METRIC[data.task]]
    context = data.context()
    space = SEARCH_SPACES[spec.name]

    def inner_score(params: dict[str, Any]) -> float:
        pipeline = spec.build(context, params)
        pipeline.fit(X.iloc[fit_idx], y[fit_idx])
        output = predict_output(pipeline, X.iloc[val_idx], data)
        score = metric.fn(y[val_idx], output, data.n_classes)
        return score if np.isfinite(score) else (-np.inf if metric.greater_is_better
                                                 else np.inf)

    default_score = inner_score({})
    durations = [time.perf_counter() - started]

    def objective(trial: optuna.Trial) -> float:
        begun = time.perf_counter()
        score = inner_score(space(trial, context))
        durations.append(time.perf_counter() - begun)
        return score

    def out_of_time(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        # Start no trial that would likely end past the budget: the budget holds for models
        # whose one fit takes a good part of it (networks), not only between trials.
        elapsed = time.perf_counter() - started
        if elapsed + float(np.median(durations)) > seconds:
            study.stop()

    direction = "maximize" if metric.greater_is_better else "minimize"
    study = optuna.create_study(direction=direction,
                                sampler=optuna.samplers.TPESampler(seed=seed % 2**31))
    remaining = seconds - (time.perf_counter() - started)
    if remaining > durations[0]:
        # The defaults were the first trial.
        study.optimize(objective, n_trials=data.budget.tuning_max_trials - 1, timeout=remaining,
                       catch=(ValueError, RuntimeError), callbacks=[out_of_time])
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
        "seconds": round(time.perf_counter() - started, 2),
        "stopped_by": "trials" if len(study.trials) + 1 >= data.budget.tuning_max_trials
        else "time",
        "inner_default_score": float(default_score),
        "inner_best_score": float(best_score),
        "defaults_won": not best_params,
        "params": best_params,
    }
    if not np.isfinite(default_score):
        figures["note"] = ("the inner validation rows could not be scored (a class missing): "
                           "the defaults were kept")
    return best_params, figures


def inner_split(X: pd.DataFrame, y: np.ndarray, data: BenchmarkData, seed: int) \
        -> tuple[np.ndarray, np.ndarray]:
    """Positions of the rows the trials fit on and of those that score them, split as the
    outer folds are: the latest rows validate with --time-col, whole groups with --group-col."""
    positions = np.arange(len(y))
    rows = X.index.to_numpy()  # rows of the prepared table
    if data.times is not None:
        order = np.argsort(data.times[rows], kind="stable")
        cut = round(len(order) * (1 - INNER_VALIDATION))
        return np.sort(order[:cut]), np.sort(order[cut:])
    if data.groups is not None and len(np.unique(data.groups[rows])) >= 2:
        splitter = GroupShuffleSplit(n_splits=1, test_size=INNER_VALIDATION, random_state=seed)
        return next(splitter.split(positions, groups=data.groups[rows]))
    classification = data.task != "regression"
    stratify = y if classification and np.bincount(y).min() >= 2 else None
    fit_idx, val_idx = train_test_split(positions, test_size=INNER_VALIDATION,
                                        random_state=seed, stratify=stratify)
    return fit_idx, val_idx

"""Metrics: one primary metric per task, plus secondary ones for context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata
from sklearn import metrics


@dataclass(frozen=True)
class Metric:
    name: str
    greater_is_better: bool
    bounded: bool
    """Bounded scores (AUC, accuracy) take an absolute minimum gain; losses a relative one."""
    fn: Callable[[np.ndarray, np.ndarray, int], float]
    lower: float = -np.inf
    upper: float = np.inf
    """The range of possible values: intervals are clipped to it."""


def binary_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """ROC-AUC as the Mann-Whitney statistic over its maximum, from average ranks: the value
    `sklearn.metrics.roc_auc_score` gives (ties count a half), at a twentieth of its cost, which
    the input checks dominate on a test fold (the permutation test scores thousands).
    NaN when one class is absent; a NaN score raises, as scikit-learn does."""
    positive = np.asarray(positive, dtype=bool)
    score = np.asarray(score, dtype=np.float64)
    if np.isnan(score).any():
        raise ValueError("Input contains NaN.")
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _roc_auc(y: np.ndarray, proba: np.ndarray, n_classes: int) -> float:
    if n_classes == 2:
        return binary_auc(y == 1, proba[:, 1])
    # Macro one-vs-rest over the classes present in this test fold: a rare class may be absent.
    present = [c for c in range(n_classes) if 0 < np.sum(y == c) < len(y)]
    return float(np.mean([binary_auc(y == c, proba[:, c]) for c in present]))


def _log_loss(y, proba, n_classes):
    return float(metrics.log_loss(y, np.clip(proba, 1e-15, 1), labels=np.arange(n_classes)))


def _accuracy(y, proba, n_classes):
    return float(metrics.accuracy_score(y, proba.argmax(axis=1)))


def _balanced_accuracy(y, proba, n_classes):
    return float(metrics.balanced_accuracy_score(y, proba.argmax(axis=1)))


def _f1(y, proba, n_classes):
    average = "binary" if n_classes == 2 else "macro"
    return float(metrics.f1_score(y, proba.argmax(axis=1), average=average, zero_division=0))


def _rmse(y, pred, n_classes):
    return float(metrics.root_mean_squared_error(y, pred))


def _mae(y, pred, n_classes):
    return float(metrics.mean_absolute_error(y, pred))


def _r2(y, pred, n_classes):
    return float(metrics.r2_score(y, pred))


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("roc_auc", True, True, _roc_auc, 0.0, 1.0),
    Metric("log_loss", False, False, _log_loss, 0.0),
    Metric("accuracy", True, True, _accuracy, 0.0, 1.0),
    Metric("balanced_accuracy", True, True, _balanced_accuracy, 0.0, 1.0),
    Metric("f1", True, True, _f1, 0.0, 1.0),
    Metric("rmse", False, False, _rmse, 0.0),
    Metric("mae", False, False, _mae, 0.0),
    Metric("r2", True, False, _r2, upper=1.0),
)}

PRIMARY_METRIC = {"binary": "roc_auc", "multiclass": "roc_auc", "regression": "rmse"}
METRICS_BY_TASK = {
    "binary": ["roc_auc", "accuracy", "balanced_accuracy", "log_loss", "f1"],
    "multiclass": ["roc_auc", "accuracy", "balanced_accuracy", "log_loss", "f1"],
    "regression": ["rmse", "mae", "r2"],
}
WHY_PRIMARY = {
    "binary": "ROC-AUC: threshold-free, insensitive to class shares, comparable across models.",
    "multiclass": "macro one-vs-rest ROC-AUC: threshold-free and fair to rare classes, on the "
                  "same bounded scale as the binary case; log loss is reported beside it.",
    "regression": "RMSE: in the target's own units and the loss most models minimise; R² and "
                  "MAE are reported beside it.",
}


def score_predictions(task: str, y_true: np.ndarray, output: np.ndarray, n_classes: int) \
        -> dict[str, float]:
    """Every metric of the task; `output` is class probabilities or regression predictions."""
    return {name: METRICS[name].fn(y_true, output, n_classes) for name in METRICS_BY_TASK[task]}

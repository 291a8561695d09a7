"""Honest statistics for cross-validated scores.

Fold scores are not independent (training sets overlap), so the plain t-test is too
confident. Nadeau & Bengio (2003) inflate the variance by n_test / n_train; Bouckaert & Frank
(2004) showed the corrected test keeps its nominal error rate on repeated K-fold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from dlcheck._config import ALPHA


@dataclass(frozen=True)
class Interval:
    mean: float
    ci_low: float
    ci_high: float
    p_value: float
    """Two-sided p-value of 'the true mean is 0'."""

    @property
    def excludes_zero(self) -> bool:
        return self.ci_low > 0 or self.ci_high < 0


def corrected_t_interval(values: np.ndarray, test_train_ratio: float, alpha: float = ALPHA) \
        -> Interval:
    """Mean of per-fold values (scores, or paired differences) with the corrected
    resampled t interval and the p-value against 0."""
    values = np.asarray(values, dtype=float)
    j = len(values)
    mean = float(np.mean(values))
    if j < 2:
        return Interval(mean, -np.inf, np.inf, 1.0)
    variance = float(np.var(values, ddof=1))
    se = np.sqrt((1.0 / j + test_train_ratio) * variance)
    if se == 0:
        p = 1.0 if mean == 0 else 0.0
        return Interval(mean, mean, mean, p)
    t_crit = stats.t.ppf(1 - alpha / 2, df=j - 1)
    p = float(2 * stats.t.sf(abs(mean / se), df=j - 1))
    return Interval(mean, float(mean - t_crit * se), float(mean + t_crit * se), p)


def paired_difference(a: np.ndarray, b: np.ndarray, test_train_ratio: float,
                      greater_is_better: bool) -> Interval:
    """How much better a is than b, fold by fold (positive: a is better)."""
    diff = np.asarray(a, float) - np.asarray(b, float)
    return corrected_t_interval(diff if greater_is_better else -diff, test_train_ratio)

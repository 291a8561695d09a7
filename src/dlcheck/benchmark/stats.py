"""Honest statistics for cross-validated scores.

Fold scores are not independent (training sets overlap), so the plain t-test is too
confident. Nadeau & Bengio (2003) inflate the variance by n_test / n_train; Bouckaert & Frank
(2004) showed the corrected test keeps its nominal error rate on repeated K-fold.

A model picked as the best of several on the same folds is lucky on them (the winner's curse):
its interval is widened for the number of candidates it was picked from, with the critical
value of the largest of that many correlated t statistics (multiple comparisons with the best,
Hsu 1996; the one-sided Dunnett critical value for comparisons that share one arm, correlation
1/2 as in a paired design with equal error variances).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy import stats
from scipy.optimize import brentq
from scipy.special import ndtr

from dlcheck._config import ALPHA

SELECTION_CORRELATION = 0.5
"""Correlation of two candidates' t statistics against a shared reference (Dunnett): exact
for equal, independent errors; models that share folds are usually more correlated, which
makes the correction conservative."""


@dataclass(frozen=True)
class Interval:
    mean: float
    ci_low: float
    ci_high: float
    p_value: float
    """Two-sided p-value of 'the true mean is 0' (adjusted for the selection, if any)."""
    n_compared: int = 1
    """Candidates the compared model was picked from: the interval is simultaneous over them."""

    @property
    def excludes_zero(self) -> bool:
        return self.ci_low > 0 or self.ci_high < 0

    @property
    def half_width(self) -> float:
        return (self.ci_high - self.ci_low) / 2


@lru_cache(maxsize=256)
def max_t_quantile(df: int, n_compared: int, level: float) -> float:
    """c such that the largest of `n_compared` equicorrelated t statistics (df degrees of
    freedom, correlation SELECTION_CORRELATION) stays below c with probability `level`.
    One candidate: the plain t quantile."""
    if n_compared <= 1:
        return float(stats.t.ppf(level, df))
    low = float(stats.t.ppf(level, df))
    high = float(stats.t.ppf(1 - (1 - level) / n_compared, df))  # Bonferroni bounds it
    return float(brentq(lambda c: max_t_cdf(c, df, n_compared) - level, low, high, xtol=1e-6))


def max_t_sf(t: float, df: int, n_compared: int) -> float:
    """P(the largest of `n_compared` equicorrelated t statistics > t)."""
    if n_compared <= 1:
        return float(stats.t.sf(t, df))
    return max(0.0, 1.0 - max_t_cdf(t, df, n_compared))


def max_t_cdf(c: float, df: int, n_compared: int) -> float:
    """P(max of `n_compared` t statistics <= c), each T_i = (sqrt(r) Z0 + sqrt(1-r) Z_i) / S
    with S^2 = chi2(df) / df: the one-sided Dunnett probability, a two-dimensional integral
    over Z0 and S (Dunnett 1955; Hsu 1996, ch. 4) by Gauss quadrature. Deterministic and
    within 1e-5 of SciPy's quasi-Monte Carlo multivariate t, at a hundredth of its cost."""
    z0, w0, s, ws = _quadrature(df)
    rho = SELECTION_CORRELATION
    inner = ndtr((c * s[:, None] - np.sqrt(rho) * z0[None, :]) / np.sqrt(1 - rho))
    return float(ws @ inner ** n_compared @ w0)


@lru_cache(maxsize=64)
def _quadrature(df: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Nodes and weights: Gauss-Hermite for the shared normal, Gauss-Legendre over the
    quantiles of S."""
    z0, w0 = hermegauss(32)
    u, wu = np.polynomial.legendre.leggauss(96)
    u = (u + 1) / 2
    s = np.sqrt(stats.chi2.ppf(u, df) / df)
    return z0, w0 / w0.sum(), s, wu / 2


def corrected_t_interval(values: np.ndarray, test_train_ratio: float, alpha: float = ALPHA,
                         n_compared: int = 1) -> Interval:
    """Mean of per-fold values (scores, or paired differences) with the corrected
    resampled t interval and the p-value against 0; with `n_compared` > 1, simultaneous over
    that many candidates (the best of them was picked on these folds)."""
    values = np.asarray(values, dtype=float)
    j = len(values)
    mean = float(np.mean(values))
    n_compared = max(1, int(n_compared))
    if j < 2:
        return Interval(mean, -np.inf, np.inf, 1.0, n_compared)
    variance = float(np.var(values, ddof=1))
    se = np.sqrt((1.0 / j + test_train_ratio) * variance)
    if se == 0:
        p = 1.0 if mean == 0 else 0.0
        return Interval(mean, mean, mean, p, n_compared)
    t_crit = max_t_quantile(j - 1, n_compared, 1 - alpha / 2)
    p = min(1.0, 2 * max_t_sf(abs(mean / se), j - 1, n_compared))
    return Interval(mean, float(mean - t_crit * se), float(mean + t_crit * se), p, n_compared)


def paired_difference(a: np.ndarray, b: np.ndarray, test_train_ratio: float,
                      greater_is_better: bool, n_compared: int = 1) -> Interval:
    """How much better a is than b, fold by fold (positive: a is better); `n_compared`: the
    number of candidates a was picked from as the best."""
    diff = np.asarray(a, float) - np.asarray(b, float)
    return corrected_t_interval(diff if greater_is_better else -diff, test_train_ratio,
                                n_compared=n_compared)


def goodness_sign(greater_is_better: bool) -> int:
    """+1 for scores, -1 for losses: sign * value is larger for the better model."""
    return 1 if greater_is_better else -1

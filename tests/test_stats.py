import numpy as np
import pytest
from scipy import stats

from dlcheck.benchmark.stats import corrected_t_interval, paired_difference


def test_corrected_interval_matches_nadeau_bengio_formula():
    values = np.array([0.80, 0.82, 0.79, 0.85, 0.81])
    ratio = 0.25  # 5-fold: n_test / n_train
    interval = corrected_t_interval(values, ratio)
    se = np.sqrt((1 / 5 + ratio) * values.var(ddof=1))
    half = stats.t.ppf(0.975, 4) * se
    assert interval.mean == pytest.approx(values.mean())
    assert interval.ci_low == pytest.approx(values.mean() - half)
    assert interval.ci_high == pytest.approx(values.mean() + half)


def test_correction_widens_the_naive_interval():
    values = np.random.default_rng(0).normal(0.01, 0.02, 10)
    naive = corrected_t_interval(values, 0.0)
    corrected = corrected_t_interval(values, 1 / 9)
    assert corrected.ci_high - corrected.ci_low > naive.ci_high - naive.ci_low
    assert corrected.p_value > naive.p_value


def test_paired_difference_sign_follows_metric_direction():
    a, b = np.array([0.9, 0.91, 0.92]), np.array([0.8, 0.81, 0.83])
    assert paired_difference(a, b, 0.25, greater_is_better=True).mean > 0
    # For a loss, lower a is better: a - b > 0 means a is worse.
    assert paired_difference(a, b, 0.25, greater_is_better=False).mean < 0


def test_identical_scores_give_a_degenerate_interval_not_nan():
    interval = corrected_t_interval(np.zeros(5), 0.25)
    assert (interval.mean, interval.ci_low, interval.ci_high, interval.p_value) == (0, 0, 0, 1)
    shifted = corrected_t_interval(np.full(5, 0.1), 0.25)
    assert shifted.p_value == 0 and shifted.excludes_zero

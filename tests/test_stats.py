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


def test_max_t_quantile_widens_with_the_number_of_candidates_and_stays_below_bonferroni():
    from dlcheck.benchmark.stats import max_t_quantile

    values = [max_t_quantile(4, m, 0.975) for m in (1, 2, 6)]
    assert values[0] == pytest.approx(stats.t.ppf(0.975, 4))
    assert values == sorted(values)
    assert values[2] < stats.t.ppf(1 - 0.025 / 6, 4)  # correlated candidates: below Bonferroni
    assert max_t_quantile.__wrapped__(4, 6, 0.975) == values[2]  # deterministic


def _signal_claims(n_models: int, corrected: bool, correlation: float, n_sims: int = 4000,
                   n_folds: int = 5) -> float:
    """Share of pure-noise benchmarks where the best of `n_models` (picked on the same folds)
    is declared better than the dummy: the lower end of its 95% interval above 0."""
    rng = np.random.default_rng(0)
    shared = rng.normal(size=(n_sims, 1, n_folds))
    own = rng.normal(size=(n_sims, n_models, n_folds))
    gains = np.sqrt(correlation) * shared + np.sqrt(1 - correlation) * own  # vs the dummy
    claims = 0
    for sim in gains:
        best = sim[np.argmax(sim.mean(axis=1))]
        interval = corrected_t_interval(best, 0.0, n_compared=n_models if corrected else 1)
        claims += interval.ci_low > 0
    return claims / n_sims


def test_the_best_of_several_is_significant_on_noise_at_the_nominal_rate_only_when_corrected():
    # Defect: the best model was picked on the folds it was then tested on (winner's curse).
    # One-sided claims at the 95% interval's lower end: nominal rate 2.5%. Over 4,000
    # simulations the binomial sd is 0.25 points; the tolerance is 1 point.
    assert _signal_claims(6, corrected=False, correlation=0.5) > 0.06
    assert _signal_claims(6, corrected=True, correlation=0.5) == pytest.approx(0.025, abs=0.01)
    # Models more alike than the correction assumes: conservative, never above nominal.
    assert _signal_claims(6, corrected=True, correlation=0.8) <= 0.025 + 0.005


def test_max_t_cdf_matches_scipys_multivariate_t():
    from dlcheck.benchmark.stats import SELECTION_CORRELATION, max_t_cdf

    shape = np.full((5, 5), SELECTION_CORRELATION) + (1 - SELECTION_CORRELATION) * np.eye(5)
    reference = stats.multivariate_t(loc=np.zeros(5), shape=shape, df=4)
    for c in (1.5, 2.8, 4.0):
        assert max_t_cdf(c, 4, 5) == pytest.approx(
            reference.cdf(np.full(5, c), random_state=0, maxpts=200_000), abs=1e-4)
    assert max_t_cdf(2.0, 9, 1) == pytest.approx(stats.t.cdf(2.0, 9), abs=1e-5)

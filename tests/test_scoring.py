"""The metrics give scikit-learn's values."""

import numpy as np
import pytest
from sklearn import metrics

from dlcheck.benchmark.scoring import METRICS, binary_auc


@pytest.mark.parametrize("n", [2, 7, 36, 500])
def test_auc_from_ranks_is_scikit_learns_with_and_without_ties(n):
    rng = np.random.default_rng(n)
    for _ in range(20):
        y = rng.integers(0, 2, n)
        y[:2] = [0, 1]
        for score in (rng.random(n), rng.random(n).round(1), rng.integers(0, 3, n)):
            assert binary_auc(y == 1, score) == pytest.approx(metrics.roc_auc_score(y, score),
                                                              abs=1e-12)


def test_multiclass_auc_is_the_macro_one_vs_rest_of_scikit_learn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 90)
    proba = rng.dirichlet([1, 1, 1], 90)
    expected = metrics.roc_auc_score(y, proba, multi_class="ovr", average="macro")
    assert METRICS["roc_auc"].fn(y, proba, 3) == pytest.approx(expected, abs=1e-12)


def test_auc_is_undefined_with_one_class_and_refuses_missing_scores():
    assert np.isnan(binary_auc(np.ones(5, bool), np.arange(5.0)))
    with pytest.raises(ValueError, match="NaN"):
        binary_auc(np.array([0, 1, 1], bool), np.array([np.nan, 0.2, 0.3]))

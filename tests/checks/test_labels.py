import numpy as np
import pandas as pd
import pytest

from dlcheck import assess
from dlcheck.checks import NotApplicable
from dlcheck.checks.labels import WrongLabels
from tests.helpers import all_checks_but

pytestmark = pytest.mark.slow


def _table(flip_share: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    n = 2000
    X = rng.normal(size=(n, 6))
    y = (X[:, 0] + X[:, 1] - X[:, 2] > 0).astype(int)
    flipped = rng.random(n) < flip_share
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    df["y"] = np.where(flipped, 1 - y, y)
    return df, flipped


def test_ten_percent_flipped_labels_are_estimated_near_ten_percent():
    df, flipped = _table(0.10)
    a = assess(df, "y", skip_checks=all_checks_but("wrong_labels"))
    [finding] = [f for f in a.findings if f["check"] == "wrong_labels"]
    # Measured: 10.9% estimated for 10.4% flipped (seed 0); within 2.5 points is the promise.
    assert abs(finding["evidence"]["estimated_share"] - flipped.mean()) < 0.025
    assert finding["severity"] == "warning"
    suspects = finding["evidence"]["most_suspected_rows"]
    assert len(suspects) == 20 and np.mean(flipped[suspects]) >= 0.9


def test_clean_labels_give_no_warning():
    df, _ = _table(0.0)
    a = assess(df, "y", skip_checks=all_checks_but("wrong_labels"))
    [finding] = [f for f in a.findings if f["check"] == "wrong_labels"]
    assert finding["severity"] == "info" and finding["evidence"]["estimated_share"] < 0.01


def test_rows_are_numbered_as_in_the_users_table():
    df, flipped = _table(0.10)
    df.loc[:99, "y"] = None  # the first 100 rows have no target and are left out
    a = assess(df, "y", skip_checks=all_checks_but("wrong_labels"))
    [finding] = [f for f in a.findings if f["check"] == "wrong_labels"]
    suspects = finding["evidence"]["most_suspected_rows"]
    assert min(suspects) >= 100 and np.mean(flipped[suspects]) >= 0.9


def test_not_applicable_to_regression(make_context):
    df = pd.DataFrame({"x": np.random.default_rng(0).normal(size=100),
                       "y": np.linspace(0, 1, 100)})
    with pytest.raises(NotApplicable):
        WrongLabels().run(make_context(df, "y"))

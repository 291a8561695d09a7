import numpy as np
import pandas as pd
import pytest

from dlcheck import assess
from dlcheck.checks.learning_curve import _fit, power_law
from tests.helpers import all_checks_but


def test_power_law_fit_recovers_a_known_curve():
    rows = np.array([100, 200, 400, 800, 1600, 3200], dtype=float)
    goodness = power_law(rows, 0.9, 2.0, 0.6)
    a, b, c = _fit(rows, goodness)
    assert (a, b, c) == pytest.approx((0.9, 2.0, 0.6), rel=1e-3)


def test_fit_respects_the_metric_ceiling():
    rows = np.array([50, 100, 200, 400, 800], dtype=float)
    goodness = np.array([0.90, 0.95, 0.975, 0.99, 0.998])  # heading past an AUC of 1
    a, _, _ = _fit(rows, goodness, ceiling=1.0)
    assert a <= 1.0


def test_too_few_points_give_no_fit():
    assert _fit(np.array([10.0, 20.0]), np.array([0.5, 0.6])) is None


@pytest.mark.slow
def test_tiny_table_gets_a_data_quantity_finding_and_a_learning_curve_outlook(tmp_path):
    rng = np.random.default_rng(0)
    n = 150
    df = pd.DataFrame(rng.normal(size=(n, 5)), columns=list("abcde"))
    df["y"] = (df["a"] - df["b"] + rng.normal(0, 0.5, n) > 0).astype(int)
    a = assess(df, "y", skip_checks=all_checks_but("data_quantity", "learning_curves"))
    checks = {f["check"] for f in a.findings}
    assert {"data_quantity", "learning_curves"} <= checks
    curves = a.report["learning_curves"]
    assert {c["model"] for c in curves} >= {"linear"}
    for c in curves:
        assert len(c["train_rows"]) >= 5 and c["train_rows"] == sorted(c["train_rows"])
        assert c["projection_rows"] == pytest.approx([2 * 120, 10 * 120])
    [lc] = [f for f in a.findings if f["check"] == "learning_curves"]
    status = lc["evidence"]["crossing"]["status"]
    outlook = a.verdict["outlook"]
    if status == "crosses":
        assert "projected to become worth it" in outlook
    elif status.startswith("no crossing"):
        assert "will not change the verdict" in outlook
    else:
        assert status == "deep already ahead"

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from dlcheck import assess
from dlcheck.benchmark.jobs import plan_jobs
from dlcheck.benchmark.results import aggregate
from dlcheck.benchmark.runner import BenchmarkData, run_job
from dlcheck.benchmark.splits import make_folds
from dlcheck.checks import CheckContext
from dlcheck.checks.learning_curve import LearningCurves, _fit, power_law
from dlcheck.data.prepare import prepare
from dlcheck.data.synthetic import threshold_table
from dlcheck.models.registry import get_model
from tests.checks.conftest import TEST_BUDGET
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


def test_a_subsampled_model_is_measured_below_its_cap_and_projected_to_all_rows():
    df, target = threshold_table(n=3000, n_irrelevant=3, seed=1)  # where forests win
    prepared = prepare(df, target)
    budget = replace(TEST_BUDGET, max_rows_slow=500, forest_trees=20)
    split = make_folds(prepared.y, True, 5, 1, seed=0)
    data = BenchmarkData(X=prepared.X, y=prepared.y, task="binary", n_classes=2,
                         numeric=prepared.numeric_columns, categorical=[], budget=budget,
                         seed=0, device="cpu")
    specs = [get_model("linear"), get_model("random_forest")]
    results = aggregate([run_job(j, data) for j in plan_jobs(specs, split.folds)], specs,
                        "binary", "roc_auc", split)
    assert results.get("random_forest").subsampled
    context = CheckContext(prepared, results, budget,
                           run_jobs=lambda jobs: [run_job(j, data) for j in jobs])
    [finding] = LearningCurves(n_bootstrap=20).run(context)
    curves = {c["model"]: c for c in finding.evidence["curves"]}
    forest, linear = curves["random_forest"], curves["linear"]
    # Fractions of the 500 rows it saw, not of the 2,400 that the cap would cut back to 500.
    assert forest["train_rows"] == [50, 90, 160, 280, 500]
    assert forest["projection_rows"] == [2400, 4800, 24000]
    assert linear["train_rows"][-1] == 2400 and linear["projection_rows"] == [4800, 24000]
    full = finding.evidence["subsampled_models"]["random_forest"]
    assert full["rows_seen"] == 500 and full["train_rows"] == 2400
    assert full["projected"] == pytest.approx(forest["projected"][0], abs=1e-4)
    assert "random_forest: " in finding.summary
    assert "on the 500 training rows it saw" in finding.summary
    assert f"{full['projected']:.3f}" in finding.summary and "projected on all 2,400" in \
        finding.summary
    assert "stretched up to 5x past the rows they saw" in finding.advice

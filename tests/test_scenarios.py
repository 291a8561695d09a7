"""Whole assessments on synthetic tables whose right verdict is known (quick budget)."""


import pytest

from dlcheck import assess
from dlcheck.benchmark.stats import paired_difference
from dlcheck.data import synthetic
from tests.helpers import SCENARIO_BUDGET, VERDICT_CHECKS, all_checks_but

pytestmark = pytest.mark.slow
SKIP = all_checks_but(*VERDICT_CHECKS)
"""Every check that can change the decision runs; the others are tested on their own."""


def test_pure_noise_gives_no_signal():
    df, target = synthetic.noise_table(n=1500, seed=1)
    a = assess(df, target, budget=SCENARIO_BUDGET, skip_checks=SKIP)
    assert a.verdict["decision"] == "no_signal"
    gain = a.report["comparison"]["best_over_dummy"]
    assert gain["ci_low"] <= 0 <= gain["ci_high"]
    [permutation] = [f for f in a.findings if f["check"] == "permutation_test"]
    assert permutation["evidence"]["p_value"] >= 0.05
    assert any("permutation test gives p=" in r for r in a.verdict["reasons"])


def test_linear_target_recommends_linear_or_a_model_tied_with_it():
    df, target = synthetic.linear_table(n=1000, seed=2)
    a = assess(df, target, budget=SCENARIO_BUDGET, skip_checks=SKIP)
    assert a.verdict["decision"] == "classical"
    recommended = a.verdict["recommended_model"]
    if recommended != "linear":
        scores = {m["name"]: m["fold_scores"] for m in a.report["models"]}
        gap = paired_difference(scores["linear"], scores[recommended],
                                a.report["protocol"]["test_train_ratio"],
                                greater_is_better=False)
        assert gap.ci_low <= 0 <= gap.ci_high, f"{recommended} is not tied with linear"


def test_rotated_smooth_function_gives_deep_learning():
    df, target = synthetic.rotated_smooth_table(n=1200, seed=3)
    a = assess(df, target, budget=SCENARIO_BUDGET, skip_checks=SKIP)
    assert a.verdict["decision"] == "deep_learning", a.verdict["reasons"]
    c = a.report["comparison"]
    assert c["best_classical"].removesuffix("_tuned") in {"lightgbm", "random_forest"}
    assert c["ci_low"] > c["min_gain"]  # the interval's lower end clears the worthwhile gain


def test_axis_aligned_thresholds_give_classical_with_trees_on_top():
    df, target = synthetic.threshold_table(n=1200, seed=4)
    a = assess(df, target, budget=SCENARIO_BUDGET, skip_checks=SKIP)
    assert a.verdict["decision"] == "classical", a.verdict["reasons"]
    assert a.report["comparison"]["best_model"].removesuffix("_tuned") in {"lightgbm",
                                                                            "random_forest"}
    assert a.verdict["recommended_model"].removesuffix("_tuned") in {
        "shallow_tree", "random_forest", "lightgbm"}


def test_leaked_column_gives_fix_data_naming_it():
    df, target = synthetic.noise_table(n=1000, seed=6)
    df["refund_issued"] = (df[target] == "yes").astype(int)
    # A blocking leak decides before any score does (tests/test_verdict.py): tuning and the
    # permutation test, which cannot change that, are left out to keep the suite short.
    a = assess(df, target, budget=SCENARIO_BUDGET,
               skip_checks=[*SKIP, "tuning", "permutation_test"])
    assert a.verdict["decision"] == "fix_data"
    assert "refund_issued" in " ".join(a.verdict["reasons"])
    assert any(f["check"] == "leakage_single_feature" and f["blocking"] for f in a.findings)

"""Whole assessments on synthetic tables whose right verdict is known (quick budget)."""


import pytest

from dlcheck.benchmark.stats import paired_difference
from tests.report_cases import assert_unchanged, run_scenario

pytestmark = pytest.mark.slow


def scenario(name: str):
    """The scenario's assessment (tests/report_cases.py), whose report must equal the stored
    one, timings aside: a reorganisation of the code changes no figure."""
    a = run_scenario(name)
    assert_unchanged(name, a.report)
    return a


def test_pure_noise_gives_no_signal():
    a = scenario("noise")
    assert a.verdict["decision"] == "no_signal"
    gain = a.report["comparison"]["best_over_dummy"]
    assert gain["ci_low"] <= 0 <= gain["ci_high"]
    [permutation] = [f for f in a.findings if f["check"] == "permutation_test"]
    assert permutation["evidence"]["p_value"] >= 0.05
    assert any("permutation test gives p=" in r for r in a.verdict["reasons"])


def test_linear_target_recommends_linear_or_a_model_tied_with_it():
    a = scenario("linear")
    assert a.verdict["decision"] == "classical"
    recommended = a.verdict["recommended_model"]
    if recommended != "linear":
        scores = {m["name"]: m["fold_scores"] for m in a.report["models"]}
        gap = paired_difference(scores["linear"], scores[recommended],
                                a.report["protocol"]["test_train_ratio"],
                                greater_is_better=False)
        assert gap.ci_low <= 0 <= gap.ci_high, f"{recommended} is not tied with linear"


def test_rotated_smooth_function_gives_deep_learning():
    a = scenario("rotated")
    assert a.verdict["decision"] == "deep_learning", a.verdict["reasons"]
    c = a.report["comparison"]
    assert c["best_classical"].removesuffix("_tuned") in {"lightgbm", "random_forest"}
    assert c["ci_low"] > c["min_gain"]  # the interval's lower end clears the worthwhile gain


def test_axis_aligned_thresholds_give_classical_with_trees_on_top():
    a = scenario("threshold")
    assert a.verdict["decision"] == "classical", a.verdict["reasons"]
    assert a.report["comparison"]["best_model"].removesuffix("_tuned") in {"lightgbm",
                                                                            "random_forest"}
    assert a.verdict["recommended_model"].removesuffix("_tuned") in {
        "shallow_tree", "random_forest", "lightgbm"}


def test_leaked_column_gives_fix_data_naming_it():
    a = scenario("leaked")  # a 0/1 copy of the label as column refund_issued
    assert a.verdict["decision"] == "fix_data"
    assert "refund_issued" in " ".join(a.verdict["reasons"])
    assert any(f["check"] == "leakage_single_feature" and f["blocking"] for f in a.findings)

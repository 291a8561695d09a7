import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from dlcheck.checks import NotApplicable
from dlcheck.checks.imbalance import ClassImbalance
from tests.checks._real_benchmark import benchmarked


def _table(minority_share: float, n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    y = (rng.random(n) < minority_share).astype(int)
    return pd.DataFrame({"x": rng.normal(size=n) + y, "y": y})


def test_balanced_table_gets_no_warning(make_context):
    [finding] = ClassImbalance().run(make_context(_table(0.5), "y"))
    assert finding.severity == "info"


def test_two_percent_minority_gets_a_warning_with_the_accuracy_paradox(make_context):
    [finding] = ClassImbalance().run(make_context(_table(0.02), "y"))
    assert finding.severity == "warning"
    assert finding.evidence["majority_class_accuracy"] > 0.97
    assert finding.evidence["minority_count"] < 60
    assert finding.evidence["metric"] == "roc_auc" and finding.evidence["why_this_metric"]
    assert "Always predicting the majority class is 9" in finding.summary


def test_not_applicable_to_regression(make_context):
    df = pd.DataFrame({"x": np.random.default_rng(0).normal(size=100),
                       "y": np.linspace(0, 1, 100)})
    with pytest.raises(NotApplicable):
        ClassImbalance().run(make_context(df, "y"))


def _imbalanced(n: int = 1200, intercept: float = -4.8) -> pd.DataFrame:
    """About 6% minority, which two features predict well (ROC-AUC about 0.9)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 4))
    logit = 2 * X[:, 0] + X[:, 1] + intercept
    df = pd.DataFrame(X, columns=list("abcd"))
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df


@pytest.fixture(scope="module")
def imbalanced_benchmark():
    df = _imbalanced()
    assert 0.04 < df["y"].mean() < 0.07
    return benchmarked(df, "y", ("dummy", "linear", "lightgbm", "mlp"))


def test_strong_imbalance_compares_weighted_and_unweighted_models(imbalanced_benchmark):
    _, comparison = ClassImbalance().run(imbalanced_benchmark)
    assert comparison.check == "class_imbalance" and comparison.severity == "info"
    models = comparison.evidence["models"]
    # The linear model, the best classical (linear or lightgbm) and the best deep one.
    assert "linear" in models and "mlp" in models
    for name, e in models.items():
        # The ladder weighted the classes (ratio >= 3): the refits are unweighted.
        assert e["benchmark_setting"] == "weighted" and e["n_folds"] == 5
        for key in ("roc_auc", "balanced_accuracy", "minority_recall"):
            assert set(e[key]) == {"weighted", "unweighted", "difference", "ci_low", "ci_high",
                                   "p_value"}
        # Ranking barely moves; at the default threshold, weights catch far more minority rows.
        assert abs(e["roc_auc"]["difference"]) < 0.03, name
        assert e["minority_recall"]["difference"] > 0.3, name
        assert e["minority_recall"]["weighted"] > e["minority_recall"]["unweighted"]
        assert e["balanced_accuracy"]["difference"] > 0.1, name
    assert "about the same" in comparison.summary
    assert "raise the recall of '1'" in comparison.summary
    json.dumps(comparison.evidence, allow_nan=False)


def test_benchmark_figures_are_reused_for_its_own_setting(imbalanced_benchmark):
    _, comparison = ClassImbalance().run(imbalanced_benchmark)
    linear = imbalanced_benchmark.results.get("linear")
    assert comparison.evidence["models"]["linear"]["roc_auc"]["weighted"] == \
        pytest.approx(np.mean(linear.fold_scores), abs=1e-4)


def test_a_deep_model_too_costly_to_refit_is_skipped_and_said(imbalanced_benchmark):
    context = imbalanced_benchmark
    results = replace(context.results, models=[
        replace(m, work=1e4) if m.family == "deep" else m for m in context.results.models])
    _, comparison = ClassImbalance().run(replace(context, results=results))
    assert "mlp" not in comparison.evidence["models"]
    assert "CPU s" in comparison.evidence["skipped"]["mlp"]


def test_unweighted_benchmark_is_compared_against_weighted_refits():
    # Ratio about 2: the ladder did not weight; a lower threshold asks for the comparison.
    df = _imbalanced(600, intercept=-1.2)
    context = benchmarked(df, "y", ("dummy", "linear"))
    _, comparison = ClassImbalance(compare_from_ratio=1.5).run(context)
    linear = comparison.evidence["models"]["linear"]
    assert linear["benchmark_setting"] == "unweighted"
    assert linear["minority_recall"]["weighted"] > linear["minority_recall"]["unweighted"]


def test_multiclass_imbalance_reports_the_smallest_class():
    rng = np.random.default_rng(0)
    n = 900
    x = rng.normal(size=n)
    y = np.where(x > 1.6, "rare", np.where(x > 0, "b", "a"))
    df = pd.DataFrame({"x": x + rng.normal(0, 0.3, n), "z": rng.normal(size=n), "y": y})
    findings = ClassImbalance().run(benchmarked(df, "y", ("dummy", "linear")))
    assert len(findings) == 2
    comparison = findings[1]
    assert comparison.evidence["minority_class"] == "rare"
    assert comparison.evidence["models"]["linear"]["minority_recall"]["weighted"] is not None


def test_balanced_table_runs_no_comparison(make_context):
    def no_refits(jobs):
        raise AssertionError("no refit expected on a balanced table")

    context = replace(make_context(_table(0.4), "y"), run_jobs=no_refits)
    assert len(ClassImbalance().run(context)) == 1

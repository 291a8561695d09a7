from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from dlcheck import assess
from dlcheck.benchmark.jobs import plan_jobs
from dlcheck.benchmark.results import aggregate
from dlcheck.benchmark.runner import run_job
from dlcheck.benchmark.splits import make_folds
from dlcheck.checks import CheckContext
from dlcheck.checks.learning_curve import LearningCurves, _fit, power_law
from dlcheck.data.synthetic import threshold_table
from dlcheck.data.tabular.prepare import prepare
from dlcheck.models.registry import get_model
from tests.checks.conftest import TEST_BUDGET
from tests.helpers import all_checks_but, bench_data


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
    # The outlook follows the curves without contradicting the decision.
    expected = {"crosses": "projected to become worth it",
                "no crossing": "unlikely to change the verdict",
                "undetermined": "undetermined",
                "deep already ahead": "measured comparison"}
    if a.verdict["decision"] == "classical":
        assert expected[status] in outlook


def test_a_subsampled_model_is_measured_below_its_cap_and_projected_to_all_rows():
    df, target = threshold_table(n=3000, n_irrelevant=3, seed=1)  # where forests win
    prepared = prepare(df, target)
    budget = replace(TEST_BUDGET, max_rows_slow=500, forest_trees=20)
    split = make_folds(prepared.y, True, 5, 1, seed=0)
    data = bench_data(X=prepared.X, y=prepared.y, task="binary", n_classes=2,
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


def _curves_context(deep_gap: float, noise: float, n_folds: int = 5,
                    train_sizes: list[int] | None = None):
    """Learning curves of a classical and a deep model whose points follow known power laws,
    the deep one catching up by `deep_gap` (fold noise `noise`), with no model refitted;
    `train_sizes`: each fold's training rows (growing, as time folds' are)."""
    from dlcheck.benchmark.jobs import JobResult
    from dlcheck.benchmark.results import BenchmarkResults, ModelResult
    from dlcheck.benchmark.scoring import METRICS
    from dlcheck.benchmark.splits import Fold, SplitPlan

    rng = np.random.default_rng(0)
    sizes = train_sizes or [4000] * n_folds
    folds = [Fold(0, i, np.arange(size), np.arange(size, size + 1000))
             for i, size in enumerate(sizes)]
    split = SplitPlan(folds, "stratified" if train_sizes is None else "time", "test",
                      n_folds, 1)
    laws = {"lightgbm": (0.90, 3.0, 0.5), "mlp": (0.90 + deep_gap, 6.0, 0.45)}
    fractions = LearningCurves().fractions
    jobs, models, fold_results = [], [], {}
    for name, law in laws.items():
        scores = []
        fold_results[name] = {}
        for f in folds:
            fold_results[name][f.id] = JobResult(key="", model=name, fold_id=f.id, repeat=0,
                                                 fraction=1.0, n_train_rows=len(f.train))
            for fr in (*fractions, 1.0):
                rows = int(len(f.train) * fr)
                score = float(power_law(rows, *law) + noise * rng.normal())
                if fr == 1.0:
                    scores.append(score)
                else:
                    jobs.append(JobResult(key="", model=name, fold_id=f.id, repeat=0,
                                          fraction=fr, scores={"roc_auc": score},
                                          n_train_rows=rows))
        family = "deep" if name == "mlp" else "ensemble"
        models.append(ModelResult(
            name=name, family=family, description="", metric="roc_auc",
            fold_ids=[f.id for f in folds], fold_scores=scores, mean=float(np.mean(scores)),
            ci_low=0, ci_high=1, fit_seconds=1, predict_ms_per_1k=1, size_bytes=1, n_params=1,
            secondary={}, train_rows=max(sizes), train_rows_available=max(sizes)))
    results = BenchmarkResults("binary", METRICS["roc_auc"], split, models, {},
                               fold_results=fold_results)
    return CheckContext(None, results, TEST_BUDGET, run_jobs=lambda submitted: jobs)


def test_a_clear_crossing_within_10x_has_a_closed_interval():
    [finding] = LearningCurves(n_bootstrap=100).run(_curves_context(0.08, 0.001))
    crossing = finding.evidence["crossing"]
    assert crossing["status"] == "crosses" and crossing["horizon"] == 10
    assert crossing["rows_low"] <= crossing["rows"] <= crossing["rows_high"] <= 40_000
    assert "95% interval" in finding.summary


def test_a_crossing_the_folds_cannot_pin_down_is_undetermined():
    # The same curves with noisy folds: some resamples never cross within 10x.
    [finding] = LearningCurves(n_bootstrap=100).run(_curves_context(0.05, 0.02))
    crossing = finding.evidence["crossing"]
    assert crossing["status"] == "undetermined"
    assert 0.025 < crossing["share_of_resamples_crossing"] < 0.975


def test_curves_are_never_extrapolated_past_10x():
    [finding] = LearningCurves(n_bootstrap=10).run(_curves_context(0.0, 0.001))
    assert finding.evidence["crossing"]["status"] == "no crossing"
    assert all(max(c["projection_rows"]) <= 10 * 4000 for c in finding.evidence["curves"])
    assert "within 10x the data" in finding.summary


def test_each_time_folds_point_sits_at_its_own_training_rows():
    # Forward-chaining folds train on 1/6 to 5/6 of the rows: a noiseless curve must come
    # back exactly, not bent by putting every fold's full fit at the largest fold's rows.
    sizes = [1000, 2000, 3000, 4000, 5000]
    [finding] = LearningCurves(n_bootstrap=10).run(_curves_context(0.0, 0.0, train_sizes=sizes))
    lightgbm = next(c for c in finding.evidence["curves"] if c["model"] == "lightgbm")
    assert set(sizes) <= set(lightgbm["train_rows"])
    assert lightgbm["fit"]["a"] == pytest.approx(0.90, abs=1e-3)

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from dlcheck.checks import NotApplicable
from dlcheck.checks.permutation import PermutationTest, plan_design
from tests.checks._real_benchmark import benchmarked
from tests.checks.conftest import with_jobs


def _noise(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(n, 4)), columns=list("abcd"))
    df["y"] = rng.integers(0, 2, n)
    return df


def _one_fold(context, n_permutations: int):
    """The stand-in model made costly enough that its refits run on one fold only."""
    budget = replace(context.budget, n_permutations=n_permutations, permutation_work=10.0)
    model = context.results.models[0]
    model.work = 10.0 / n_permutations  # one fold's refits fit, all five do not
    return replace(context, budget=budget)


def test_a_score_no_shuffle_reaches_is_significant_at_the_smallest_p(make_context):
    context = with_jobs(_one_fold(make_context(_noise(), "y", best_score=0.95), 39))
    [finding] = PermutationTest().run(context)
    e = finding.evidence
    assert finding.severity == "info"
    assert e["p_value"] == pytest.approx(1 / 40) == e["smallest_attainable_p"]
    assert e["n_permutations"] == 39 and not e["stopped_early"]
    assert e["folds"] == ["r0f0"] and "fold r0f0 only" in e["design"]
    assert 0.4 < e["permuted_mean"] < 0.6


def test_without_signal_the_shuffles_stop_early_and_p_stays_above_alpha(make_context):
    context = with_jobs(_one_fold(make_context(_noise(), "y", best_score=0.45), 99))
    [finding] = PermutationTest().run(context)
    e = finding.evidence
    assert finding.severity == "warning" and e["p_value"] >= 0.05
    # Besag & Clifford: it stops at the 5th shuffle that does as well, long before 99.
    assert e["stopped_early"] and e["shuffles_as_good"] == 5 and e["n_permutations"] <= 15
    assert e["p_value"] == pytest.approx(5 / e["n_permutations"])


def test_needs_an_executor(make_context):
    with pytest.raises(NotApplicable):
        PermutationTest().run(make_context(_noise(), "y"))


def _interaction_table(n: int, seed: int = 0) -> pd.DataFrame:
    """The label is the sign of x0 * x1 * x2 (10% flipped): invisible to a linear model or a
    shallow tree, plain to boosting."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    y = (X[:, 0] * X[:, 1] * X[:, 2] > 0).astype(int)
    y = np.where(rng.random(n) < 0.1, 1 - y, y)
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    df["y"] = y
    return df


def test_tests_the_best_model_even_when_a_cheaper_one_would_fit_the_budget():
    # Defect: the test ran on the best model whose refits fit the budget, else the cheapest
    # (here linear, AUC ~0.5): p ~ 0.3 and a `no_signal` verdict for a signal boosting finds.
    context = benchmarked(_interaction_table(1200), "y",
                          models=("dummy", "linear", "shallow_tree", "lightgbm"))
    results = context.results
    assert results.best().name == "lightgbm" and results.get("linear").mean < 0.6
    budget = replace(context.budget, permutation_work=results.get("lightgbm").work * 99 * 0.5)
    [finding] = PermutationTest().run(replace(context, budget=budget))
    e = finding.evidence
    assert e["model"] == "lightgbm" and e["why_this_model"].startswith("the best model")
    assert e["p_value"] < 0.05 and finding.severity == "info"
    assert e["train_rows"] < results.get("lightgbm").train_rows  # a subsample of one fold
    assert e["score"] > 0.7  # the real labels, refitted on the same subsample
    assert f"refitted on {e['train_rows']:,} training rows" in finding.summary


def test_the_design_counts_work_not_seconds(make_context):
    context = make_context(_noise(), "y")
    model = context.results.models[0]
    budget = replace(context.budget, n_permutations=99, permutation_work=100.0)
    model.work, model.fit_seconds = 100.0 / 99 / 5, 1e6  # a slow clock changes nothing
    assert len(plan_design(model, context.results, budget, 50).folds) == 5
    model.work = 100.0 / 99 / 2
    design = plan_design(model, context.results, budget, 50)
    assert len(design.folds) == 1 and design.rows is None
    model.work = 100.0 / 99 * 4
    design = plan_design(model, context.results, budget, 50)
    assert design.rows == len(design.folds[0].train) // 4


def test_a_subsample_of_a_network_counts_its_steps_as_they_are(make_context):
    # A table network's steps an epoch hardly fall with its rows (batches shrink with
    # them): scaling the whole fit's work by rows chose 6,400 of 16,000 rows for a budget
    # that 2,000 rows already nearly fill.
    from dlcheck.models.registry import get_model

    context = make_context(_noise(20_000), "y")
    model = context.results.models[0]
    model.spec, model.work = "mlp", 10.0  # 7 CPU s of rows, 3 of steps
    fits = context.results.fold_results[model.name]
    for fid, fit in fits.items():
        fits[fid] = replace(fit, work=10.0, step_work=3.0)
    budget = replace(context.budget, n_permutations=99, permutation_work=99 * 4.0)
    design = plan_design(model, context.results, budget, 500)
    rows_seen = len(design.folds[0].train)
    assert rows_seen == 16_000 and design.rows is not None
    mlp = get_model("mlp")
    assert design.work_per_permutation == pytest.approx(
        mlp.work_at_rows(7.0, 3.0, rows_seen, design.rows))
    assert design.work_per_permutation <= 4.0
    assert design.rows < 6_400 and mlp.work_at_rows(7.0, 3.0, rows_seen, 6_400) > 4.0
    assert mlp.work_at_rows(7.0, 3.0, rows_seen, design.rows + 500) > 4.0  # the largest


def test_a_fold_no_larger_than_the_floor_is_refitted_whole(make_context):
    # A "subsample" of 240 of 240 rows, said to be the fewest it takes, was the fold itself.
    context = make_context(_noise(300), "y")
    model = context.results.models[0]
    model.work = 10.0
    budget = replace(context.budget, n_permutations=99, permutation_work=99.0)
    design = plan_design(model, context.results, budget, 500)
    assert len(design.folds) == 1 and design.rows is None
    assert "its 240 training rows are no more than the 500 a subsample keeps" in design.why


def test_the_design_counts_each_folds_own_work(make_context):
    # Forward-chaining folds grow: the work of every fold is the sum of their own fits'.
    context = make_context(_noise(), "y")
    model = context.results.models[0]
    model.work = 1.0
    fits = context.results.fold_results[model.name]
    for i, (fid, fit) in enumerate(sorted(fits.items())):
        fits[fid] = replace(fit, work=0.2 * (i + 1))  # 3 CPU s in all, 0.6 a fold on average
    budget = replace(context.budget, n_permutations=99, permutation_work=99 * 3.5)
    assert len(plan_design(model, context.results, budget, 50).folds) == 5
    budget = replace(budget, permutation_work=99 * 2.9)
    assert len(plan_design(model, context.results, budget, 50).folds) == 1


def test_a_tuned_variant_is_refitted_with_its_own_parameters():
    context = benchmarked(_interaction_table(300), "y", models=("dummy", "lightgbm"))
    from tests.checks.conftest import tune_and_check

    tune_and_check(context)
    tuned = context.results.get("lightgbm_tuned")
    fold = context.results.split.folds[0]
    job = tuned.job(fold, permutation=3)
    assert job.model == "lightgbm" and job.name == "lightgbm_tuned"
    assert dict(job.params) == tuned.fold_params[fold.id] and job.permutation == 3

"""Defaults are not magic: tuning inside each fold, against the defaults, for the verdict."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import dlcheck.benchmark.tuning as tuning_module
from dlcheck._config import BUDGETS
from dlcheck.benchmark.compare import compare
from dlcheck.benchmark.fitting import predict_output
from dlcheck.benchmark.scoring import METRICS
from dlcheck.checks import NotApplicable
from dlcheck.checks.tuning import Tuning
from dlcheck.models.registry import get_model
from tests.checks.conftest import tune_and_check, with_jobs
from tests.helpers import bench_data


def _wide_weak_table(n: int = 300, n_noise: int = 150, seed: int = 0) -> pd.DataFrame:
    """A weak signal among useless columns."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3 + n_noise))
    logit = 0.8 * X[:, 0] + 0.6 * X[:, 1] - 0.5 * X[:, 2]
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    df["y"] = (logit + rng.logistic(size=n) > 0).astype(int)
    return df


def test_tuning_beats_defaults_that_overfit_on_rows_it_never_saw():
    # Nearly as many columns as training rows: ridge's default alpha=1 overfits badly.
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 180)), columns=[f"x{i}" for i in range(180)])
    y = (X["x0"] + 0.8 * X["x1"] - 0.6 * X["x2"] + rng.normal(size=300)).to_numpy()
    data = bench_data(X=X, y=y, task="regression", n_classes=1, numeric=list(X.columns),
                         categorical=[], budget=BUDGETS["quick"], seed=0, device="cpu")
    train, test = np.arange(200), np.arange(200, 300)
    spec = get_model("linear")
    params, figures = tuning_module.tune(spec, train, y[train], data, 12, "r0f0")
    assert figures["trials"] == 12 and not figures["defaults_won"]
    assert figures["inner_best_score"] < figures["inner_default_score"]  # RMSE: lower
    assert params["alpha"] > 10  # it found that this table needs strong regularisation
    rmse = {}
    for name, p in (("default", {}), ("tuned", params)):
        pipeline = spec.build(data.context(), p).fit(X.iloc[train], y[train])
        rmse[name] = METRICS["rmse"].fn(y[test], predict_output(pipeline, X.iloc[test], data), 1)
    assert rmse["tuned"] < 0.8 * rmse["default"]


def test_tuned_variant_joins_the_ladder_and_stands_for_its_default(make_context, monkeypatch):
    df = _wide_weak_table(n=250, n_noise=20)
    context = with_jobs(make_context(df, "y", best_score=0.8))
    seen = []
    real_tune = tuning_module.tune

    def spy(spec, rows, y, data, trials, fold_id):
        seen.append((fold_id, set(rows)))
        return real_tune(spec, rows, y, data, trials, fold_id)

    monkeypatch.setattr(tuning_module, "tune", spy)
    [finding] = tune_and_check(context)
    results = context.results
    default, tuned = results.get("lightgbm"), results.get("lightgbm_tuned")

    # Nested: each fold's search saw only that fold's training rows.
    folds = {f.id: f for f in results.split.folds}
    assert sorted(fid for fid, _ in seen) == sorted(default.fold_ids)
    for fid, rows in seen:
        assert rows.isdisjoint(folds[fid].test) and rows <= set(folds[fid].train)

    # Scored on the same folds; where the defaults won, the default's own score is kept.
    assert tuned.fold_ids == default.fold_ids
    row = finding.evidence["models"]["lightgbm"]
    for fid, score in zip(tuned.fold_ids, tuned.fold_scores, strict=True):
        if not tuned.fold_params[fid]:
            assert score == 0.8
    assert row["trials_per_fold"] == [context.budget.tuning_trials] * len(tuned.fold_ids)
    assert row["tuned"] == pytest.approx(tuned.mean, abs=1e-4)

    # The tuned variant stands for the default in every comparison from now on.
    assert default.tuned_variant == "lightgbm_tuned"
    assert results.best() is tuned and compare(results).best_classical == "lightgbm_tuned"
    assert "tuned" in finding.summary and "0.800" in finding.summary


def test_a_tuned_variant_refits_with_its_own_parameters_on_each_fold(make_context):
    df = _wide_weak_table(n=250, n_noise=20)
    context = with_jobs(make_context(df, "y", best_score=0.8))
    tune_and_check(context)
    tuned = context.results.get("lightgbm_tuned")
    fold = context.results.split.folds[0]
    job = tuned.job(fold, permutation=3)
    assert job.model == "lightgbm" and job.name == "lightgbm_tuned"
    assert dict(job.params) == tuned.fold_params[fold.id] and job.permutation == 3


def test_the_check_does_not_apply_when_the_tuning_stage_did_not_run(make_context):
    context = make_context(_wide_weak_table(n=100, n_noise=5), "y")
    with pytest.raises(NotApplicable, match="did not run"):
        Tuning().run(context)


def test_the_tuning_check_only_reads_the_results(make_context):
    context = with_jobs(make_context(_wide_weak_table(n=200, n_noise=5), "y", best_score=0.8))
    first = tune_and_check(context)
    names = [m.name for m in context.results.models]
    assert Tuning().run(replace(context, run_jobs=None)) == first  # no fit, the same finding
    assert [m.name for m in context.results.models] == names


def test_tuning_budget_grows_with_the_preset():
    trials = [BUDGETS[b].tuning_trials for b in ("quick", "standard", "thorough")]
    assert trials == sorted(trials) and trials[0] > 1
    rows = [BUDGETS[b].tuning_rows for b in ("quick", "standard", "thorough")]
    assert rows == sorted(rows)


def test_both_sides_get_the_same_trials_on_the_same_rows_whatever_a_fit_costs():
    # Counted trials, not seconds: a network as slow as it likes gets as many trials as a
    # linear model, fitted on the same subsample of the inner split.
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(400, 4)), columns=list("abcd"))
    y = (X["a"] + rng.normal(size=400) > 0).astype(int).to_numpy()
    budget = replace(BUDGETS["quick"], tuning_rows=150, max_epochs=3, deep_width=16)
    data = bench_data(X=X, y=y, task="binary", n_classes=2, numeric=list(X.columns),
                         categorical=[], budget=budget, seed=0, device="cpu")
    figures = {name: tuning_module.tune(get_model(name), np.arange(300), y[:300], data, 3,
                                        "r0f0")[1] for name in ("linear", "mlp")}
    assert figures["linear"]["trials"] == figures["mlp"]["trials"] == 3
    assert figures["linear"]["trial_rows"] == figures["mlp"]["trial_rows"] == 150
    assert figures["mlp"]["inner_rows_available"] == 240
    again = tuning_module.tune(get_model("linear"), np.arange(300), y[:300], data, 3, "r0f0")[1]
    assert again["params"] == figures["linear"]["params"]  # no clock: the same search


def test_inner_split_follows_time_and_groups():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=200)})
    y = rng.integers(0, 2, 200)
    base = dict(X=X, y=y, task="binary", n_classes=2, numeric=["x"], categorical=[],
                budget=BUDGETS["quick"], seed=0)
    times = rng.permutation(200).astype(float)
    rows = np.arange(50, 150)  # a fold's training rows: positions 50..149 of the table
    fit, val = tuning_module.inner_split(rows, y[50:150], bench_data(**base, times=times), 0)
    assert times[50:150][val].min() > times[50:150][fit].max()  # validated on the latest
    groups = np.repeat(np.arange(20), 10)
    fit, val = tuning_module.inner_split(rows, y[50:150], bench_data(**base, groups=groups),
                                         0)
    assert set(groups[50:150][fit]).isdisjoint(groups[50:150][val])
    assert len(fit) + len(val) == 100


def test_a_failed_search_tunes_no_model(make_context):
    context = with_jobs(make_context(_wide_weak_table(n=200, n_noise=5), "y", best_score=0.8))

    def failing(jobs):
        results = context.run_jobs(jobs[:1])
        results[0].error = "MemoryError: simulated"
        return results

    with pytest.raises(RuntimeError, match="no model was tuned"):
        tune_and_check(replace(context, run_jobs=failing))
    assert [m.name for m in context.results.models] == ["lightgbm"]
    assert not context.results.get("lightgbm").tuned_variant

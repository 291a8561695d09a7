"""Common tests over the ladder: every model fits inside a Pipeline on every task, with
categories and missing values, and reports its costs."""

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from dlcheck._config import BUDGETS
from dlcheck.benchmark.costs import count_parameters, serialized_size
from dlcheck.data.tabular import TableFeatures
from dlcheck.models.spec import FAMILY_ORDER, ModelContext
from dlcheck.models.tabular.deep import DeepTabularClassifier, DeepTabularRegressor
from dlcheck.models.tabular.ladder import TABULAR_LADDER as LADDER

TINY = BUDGETS["quick"].__class__(**{**BUDGETS["quick"].to_dict(), "max_epochs": 5,
                                     "forest_trees": 10})


def _table(task: str, n: int = 240):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({
        "a": rng.normal(size=n), "b": rng.lognormal(size=n),
        "c": rng.choice(["x", "y", "z"], n).astype(object),
    })
    X.loc[::17, "a"] = np.nan
    X.loc[::13, "c"] = np.nan
    signal = X["a"].fillna(0) + (X["c"] == "x")
    if task == "regression":
        y = signal.to_numpy() + rng.normal(0, 0.1, n)
    elif task == "binary":
        y = (signal > 0.3).astype(int).to_numpy()
    else:
        y = np.digitize(signal, [0, 0.8])
    return X, y


def test_ladder_names_are_unique_and_families_known():
    names = [m.name for m in LADDER]
    assert len(names) == len(set(names))
    assert {m.family for m in LADDER} == set(FAMILY_ORDER)


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
@pytest.mark.parametrize("spec", LADDER, ids=lambda s: s.name)
def test_every_model_fits_predicts_and_reports_costs(spec, task):
    X, y = _table(task)
    context = ModelContext(task=task, features=TableFeatures(["a", "b"], ["c"]), budget=TINY,
                           device="cpu")
    pipeline = spec.build(context)
    pipeline.fit(X.iloc[:200], y[:200])
    test = X.iloc[200:].copy()
    test.loc[test.index[0], "c"] = "never seen"  # unseen category at prediction time
    if task == "regression":
        out = pipeline.predict(test)
        assert out.shape == (40,) and np.isfinite(out).all()
    else:
        proba = pipeline.predict_proba(test)
        assert proba.shape == (40, len(np.unique(y[:200])))
        np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert serialized_size(pipeline) > 0
    if spec.family != "baseline":
        assert count_parameters(pipeline[-1]) > 0


def test_deep_model_learns_a_simple_signal():
    X, y = _table("binary", 600)
    context = ModelContext(task="binary", features=TableFeatures(["a", "b"], ["c"]),
                           budget=BUDGETS["quick"], device="cpu")
    for name in ("mlp", "tabm"):
        spec = next(s for s in LADDER if s.name == name)
        pipeline = spec.build(context).fit(X.iloc[:500], y[:500])
        accuracy = (pipeline.predict(X.iloc[500:]) == y[500:]).mean()
        assert accuracy > 0.85, name


def test_time_limit_stops_training_and_says_so():
    X, y = _table("regression", 2000)
    model = DeepTabularRegressor(max_epochs=10_000, patience=10_000, max_seconds=0.5,
                                 device="cpu").fit(X[["a", "b"]].fillna(0).to_numpy(), y)
    assert model.training_log_.stopped_by == "time_limit"
    assert model.training_log_.seconds < 5


def test_a_network_counts_its_steps_as_well_as_its_rows():
    # Choices of what to refit count work. On a few hundred rows a network's fit is mostly
    # its steps' fixed cost: the MLP's 6 epochs on 600 x 5 (96 steps) took 0.31 CPU s and
    # counted 0.04 by rows alone; its hidden layers cost the same behind 5 inputs as behind
    # 20, so the rows' part does not shrink in proportion to the features either.
    X = np.random.default_rng(0).normal(size=(200, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    model = DeepTabularClassifier(max_epochs=3, patience=100, batch_size=32,
                                  device="cpu").fit(X, y)
    assert model.training_log_.steps == 3 * int(np.ceil(170 / 32))  # 170 rows train
    spec = next(s for s in LADDER if s.name == "mlp")
    few, many = (spec.work_seconds(600, f, model) for f in (5, 20))
    steps = spec.step_work * model.training_log_.steps
    assert steps > 0 and few > steps
    assert (few - steps) / (many - steps) == pytest.approx(
        spec.fixed_share + (1 - spec.fixed_share) * 5 / 20)
    assert spec.fixed_share > 0


@pytest.mark.parametrize("n_rows", [40, 300, 1206, 2000])
def test_counted_steps_an_epoch_are_the_training_loops(n_rows):
    # 1,206 rows: 1,025 train in 32 batches of 32 and a last one of one row, which the loop
    # skips (normalisation needs two rows).
    from dlcheck.models.batches import table_steps_per_epoch

    X = np.random.default_rng(1).normal(size=(n_rows, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    model = DeepTabularClassifier(max_epochs=1, device="cpu").fit(X, y)
    assert model.training_log_.steps == table_steps_per_epoch(n_rows)
    assert list(table_steps_per_epoch(np.array([n_rows]))) == [model.training_log_.steps]


def test_fit_is_deterministic_under_a_seed():
    X, y = _table("binary")
    Xn = X[["a", "b"]].fillna(0).to_numpy()
    p1 = DeepTabularClassifier(max_epochs=3, random_state=1).fit(Xn, y).predict_proba(Xn)
    p2 = DeepTabularClassifier(max_epochs=3, random_state=1).fit(Xn, y).predict_proba(Xn)
    np.testing.assert_array_equal(p1, p2)


# scikit-learn's own contract checks on the deep estimators (few epochs keep them fast).
# Each expected failure is listed for the estimator that fails it, with the reason.
_SHORT_TRAINING = "3 epochs on tiny random data cannot reach the score this check demands"
_FLOAT32 = "float32 kernels round differently with the batch size: differences of ~2e-7"
_WEIGHTS = "3 epochs are too few to show the effect of class weights"
_MLP_CLASSIFIER = DeepTabularClassifier(max_epochs=3, device="cpu")
_MLP_REGRESSOR = DeepTabularRegressor(max_epochs=3, device="cpu")
_TABM_CLASSIFIER = DeepTabularClassifier(architecture="tabm", k=4, width=32, max_epochs=3,
                                         device="cpu")
_EXPECTED_FAILURES = {
    id(_MLP_CLASSIFIER): {"check_class_weight_classifiers": _WEIGHTS,
                          "check_methods_subset_invariance": _FLOAT32},
    id(_MLP_REGRESSOR): {"check_regressors_train": _SHORT_TRAINING,
                         "check_methods_subset_invariance": _FLOAT32},
    id(_TABM_CLASSIFIER): {"check_class_weight_classifiers": _WEIGHTS,
                           "check_classifiers_train": _SHORT_TRAINING},
}


@parametrize_with_checks(
    [_MLP_CLASSIFIER, _MLP_REGRESSOR, _TABM_CLASSIFIER],
    expected_failed_checks=lambda est: _EXPECTED_FAILURES[id(est)],
)
def test_sklearn_contract(estimator, check):
    check(estimator)


@pytest.mark.parametrize("spec", LADDER, ids=lambda s: s.name)
def test_serialized_size_equals_the_pickle_length(spec):
    import pickle

    X, y = _table("binary", 3000)
    context = ModelContext(task="binary", features=TableFeatures(["a", "b"], ["c"]), budget=TINY,
                           device="cpu")
    pipeline = spec.build(context).fit(X, y)
    expected = len(pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL))
    assert serialized_size(pipeline) == expected


def test_serialized_size_counts_large_buffers():
    import pickle

    big = {"weights": np.arange(200_000, dtype=np.float64)}  # past pickle's 64 KB frames
    assert serialized_size(big) == len(pickle.dumps(big, protocol=pickle.HIGHEST_PROTOCOL))


# Wide tables: the numeric embeddings are bounded (architectures.num_embedding_size), so that a
# 1,000-column table no longer gets a 16,000-wide first layer (2.1M parameters), while tables
# of up to 128 numeric inputs keep exactly the architecture they always had.
PARAMS_ON_20_COLUMNS = {"mlp": 79_746, "tabm": 71_824}
"""Parameters of the ladder's networks (quick budget) on 20 numeric columns, one of them with
missing values (21 inputs): the figures measured before the bound existed."""
MAX_PARAMS_ON_1000_COLUMNS = 250_000
"""The bound on 1,000 numeric columns (before: 2,131,730 for the MLP, 2,249,120 for TabM)."""


def _numeric_table(n_rows: int, n_columns: int):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(n_rows, n_columns)),
                     columns=[f"x{i}" for i in range(n_columns)])
    X.iloc[::7, 1] = np.nan
    return X, (X["x0"].fillna(0) + rng.normal(0, 0.5, n_rows) > 0).astype(int).to_numpy()


@pytest.mark.parametrize("name", ["mlp", "tabm"])
def test_numeric_embeddings_are_bounded_on_wide_tables_only(name):
    budget = BUDGETS["quick"].__class__(**{**BUDGETS["quick"].to_dict(), "max_epochs": 1})
    spec = next(s for s in LADDER if s.name == name)
    n_params = {}
    for n_columns in (20, 1000):
        X, y = _numeric_table(60, n_columns)
        context = ModelContext(task="binary", features=TableFeatures(list(X.columns), []),
                               budget=budget, device="cpu")
        model = spec.build(context).fit(X, y)[-1]
        n_params[n_columns] = count_parameters(model)
        if n_columns == 20:
            assert model.d_num_embedding_ == 16 and model.input_notes_ == []
        else:  # 1,001 inputs (the missing-value indicator counts): no embedding at all
            assert model.d_num_embedding_ == 0
            assert "no numeric embeddings" in model.input_notes_[0]
    assert n_params[20] == PARAMS_ON_20_COLUMNS[name]
    assert n_params[1000] < MAX_PARAMS_ON_1000_COLUMNS


def test_the_embedding_width_rule():
    from dlcheck.models.tabular.deep.architectures import (
        MAX_NUM_EMBEDDING_WIDTH,
        TabularMLP,
        num_embedding_size,
    )

    assert [num_embedding_size(n) for n in (1, 64, 128, 129, 256, 512, 513, 5000)] == \
        [16, 16, 16, 15, 8, 4, 0, 0]
    for name in ("mlp", "tabm"):  # the report's model description states the same rule
        description = next(s for s in LADDER if s.name == name).description
        assert f"<= {MAX_NUM_EMBEDDING_WIDTH:,}" in description and "past 128" in description
        assert "past 512 inputs none" in description
    for n in range(1, 3000):
        d = num_embedding_size(n)
        assert d == 0 or n * d <= MAX_NUM_EMBEDDING_WIDTH
    # The first layer's input: embedded numeric inputs, or the raw ones past 512.
    assert TabularMLP(300, [], 2, d_num_embedding=num_embedding_size(300)).blocks[0] \
        .in_features == 300 * 6
    assert TabularMLP(1000, [4], 2, d_num_embedding=0).blocks[0].in_features == 1000 + 3


@pytest.mark.parametrize("spec", LADDER[1:], ids=lambda s: s.name)
def test_permutation_importance_is_scikit_learns(spec):
    """The explain probe's stacked permutation importance (shuffled copies predicted together,
    on the preprocessed matrix where preprocessing is column by column) gives the figures of
    scikit-learn's permutation_importance on the whole pipeline, for every ladder model."""
    from sklearn.inspection import permutation_importance

    from dlcheck.probes.explain import columnwise_outputs, permutation_importance_stacked

    X, y = _table("multiclass", 160)
    context = ModelContext(task="multiclass", features=TableFeatures(["a", "b"], ["c"]),
                           budget=TINY, device="cpu")
    pipeline = spec.build(context).fit(X.iloc[:100], y[:100])
    X_test, y_test = X.iloc[100:], y[100:]

    def score(proba):
        return -np.mean((proba - np.eye(3)[y_test]) ** 2)  # the Brier score, signed

    expected = permutation_importance(pipeline, X_test, y_test, n_repeats=3, random_state=7,
                                      scoring=lambda p, X_, y_: score(p.predict_proba(X_)))
    mean, std = permutation_importance_stacked(pipeline.predict_proba, X_test, score, 3, 7)
    np.testing.assert_allclose(mean, expected.importances_mean, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(std, expected.importances_std, rtol=1e-9, atol=1e-12)
    groups = columnwise_outputs(pipeline, list(X.columns))
    if spec.preprocessing != "linear":  # one-hot columns are left to the table path
        assert groups is not None
        Z = pipeline[:-1].transform(X_test)
        mean, std = permutation_importance_stacked(pipeline[-1].predict_proba, Z, score, 3, 7,
                                                   groups)
        np.testing.assert_allclose(mean, expected.importances_mean, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(std, expected.importances_std, rtol=1e-6, atol=1e-9)


def test_early_stopping_splits_as_the_folds_do():
    import torch

    from dlcheck.models.validation import group_holdout

    y = torch.from_numpy(np.tile([0, 1], 200).astype(np.int64))
    model = DeepTabularClassifier(validation_fraction=0.15)
    order = np.random.default_rng(0).permutation(400).astype(float)
    fit, valid = model._validation_split(y, None, order)
    assert order[valid].min() > order[fit].max()  # the latest rows decide when to stop
    groups = np.repeat(np.arange(40), 10)
    fit, valid = model._validation_split(y, groups, None)
    assert set(groups[fit]).isdisjoint(groups[valid])
    # A share of the rows, not of the groups: one large group does not take half the fold.
    lopsided = np.repeat(np.arange(21), [200] + [10] * 20)
    fit, valid = group_holdout(lopsided, 0.15, 0)
    assert 0.1 <= len(valid) / len(lopsided) <= 0.2


def test_early_stopping_watches_the_loss_being_trained():
    import torch

    model = DeepTabularClassifier(class_weight="balanced")
    model.classes_ = np.array([0, 1])
    train_loss, valid_loss = model._losses(torch.tensor([0, 0, 0, 1]))
    assert train_loss is valid_loss
    regressor = DeepTabularRegressor()
    train_loss, valid_loss = regressor._losses(torch.zeros(4))
    assert train_loss is valid_loss

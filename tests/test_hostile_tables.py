"""Tables that real exports produce and that once broke dlcheck: each must work or say why."""

import numpy as np
import pandas as pd
import pytest
import torch

from dlcheck._config import BUDGETS
from dlcheck.benchmark.splits import make_folds
from dlcheck.data.loading import load_table
from dlcheck.data.tabular import TableFeatures
from dlcheck.data.tabular.prepare import prepare
from dlcheck.data.tabular.profile import infer_column_kind
from dlcheck.errors import DataError
from dlcheck.models.spec import ModelContext
from dlcheck.models.tabular.deep import DeepTabularClassifier
from dlcheck.models.tabular.deep.estimator import UNKNOWN_CATEGORY_SHARE, _mark_some_unknown
from dlcheck.models.tabular.ladder import TABULAR_LADDER as LADDER


def _fit_every_classical_model(prepared):
    context = ModelContext(task=prepared.task, features=TableFeatures(prepared.numeric_columns,
                           prepared.categorical_columns), budget=BUDGETS["quick"])
    for spec in LADDER:
        if spec.family != "deep":
            spec.build(context).fit(prepared.X, prepared.y)


def test_nullable_and_categorical_dtypes_are_modelled():
    rng = np.random.default_rng(0)
    n = 120
    df = pd.DataFrame({
        "city": rng.choice(["oslo", "rome", None], n),
        "level": pd.Categorical(rng.choice([1, 2, 3], n)),
        "x": rng.normal(size=n),
        "y": rng.choice(["a", "b"], n),
    }).convert_dtypes()
    prepared = prepare(df, "y")
    assert set(prepared.categorical_columns) == {"city", "level"}
    _fit_every_classical_model(prepared)


def test_numbers_with_placeholders_stay_numeric():
    values = [str(v) for v in np.linspace(50, 90, 97)] + ["?", "n/a", "?"]
    assert infer_column_kind(pd.Series(values, name="blood_pressure")) == "numeric"
    df = pd.DataFrame({"blood_pressure": values, "y": [0, 1] * 50})
    prepared = prepare(df, "y")
    assert prepared.X["blood_pressure"].isna().sum() == 3


def test_sorted_measurement_is_not_an_id_but_a_row_counter_is():
    incomes = pd.Series(np.sort(np.random.default_rng(0).choice(10**6, 200, replace=False)),
                        name="income")
    assert infer_column_kind(incomes) == "numeric"
    assert infer_column_kind(pd.Series(np.arange(1, 201), name="row")) == "id"


@pytest.mark.parametrize("values", [["M1", "M2", "M3"], ["1st", "2nd", "3rd"]])
def test_codes_are_not_mistaken_for_dates(values):
    assert infer_column_kind(pd.Series(values * 40)) == "categorical"


def test_list_cells_are_left_out_with_a_finding():
    df = pd.DataFrame({"tags": [[1, 2], [3]] * 20, "x": range(40), "y": [0, 1] * 20})
    prepared = prepare(df, "y")
    assert prepared.dropped_columns.keys() == {"tags"}
    assert any(f.check == "unsupported_columns" for f in prepared.findings)


def test_timezones_and_daylight_saving_offsets():
    n = 60
    stamps = pd.date_range("2021-03-01", periods=n, freq="D", tz="Europe/Paris")
    df = pd.DataFrame({
        "created_at": [s.isoformat() for s in stamps],  # +01:00 then +02:00
        "when": stamps,
        "x": np.arange(n) % 7,
        "y": [0, 1, 1] * 20,
    })
    prepared = prepare(df, "y", time_col="when")
    assert "created_at__days" in prepared.X
    assert np.all(np.diff(prepared.times) > 0)


def test_missing_group_ids_ask_to_fill_them():
    df = pd.DataFrame({"x": range(40), "g": ["a", None] * 20, "y": [0, 1] * 20})
    with pytest.raises(DataError, match="missing in 20 rows"):
        prepare(df, "y", group_col="g")


def test_integer_column_names_and_target():
    df = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 3)))
    df[3] = [0, 1] * 20
    assert prepare(df, 3).target == "3"


def test_semicolon_separated_csv(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("x;x2;y\n1,5;2;0\n2,5;3;1\n")
    assert list(load_table(path).columns) == ["x", "x2", "y"]


def test_groups_holding_one_class_each_are_refused_clearly():
    groups = np.repeat(np.arange(8), 15).astype(str)
    y = np.repeat([0, 1, 0, 1, 0, 0, 0, 0], 15)
    with pytest.raises(DataError, match="single class"):
        make_folds(y, True, 5, 1, seed=0, groups=groups)


def test_time_folds_skip_early_periods_without_every_class():
    times = np.arange(300, dtype=float)
    y = ((times % 10 == 0) & (times >= 100)).astype(int)  # the positive class starts late
    plan = make_folds(y, True, 5, 1, seed=0, times=times)
    assert all(len(np.unique(y[f.train])) == 2 and len(np.unique(y[f.test])) == 2
               for f in plan.folds)
    assert "skipped" in plan.reason


def test_deep_classifier_with_many_small_classes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 4)).astype(np.float32)
    y = np.repeat(np.arange(40), 6)
    model = DeepTabularClassifier(max_epochs=2, device="cpu").fit(X, y)
    assert model.predict_proba(X).shape == (240, 40)


def test_a_few_training_categories_are_marked_unknown():
    codes = torch.ones((20_000, 3), dtype=torch.long)
    marked = _mark_some_unknown(codes, torch.Generator().manual_seed(0))
    share = float((marked == 0).float().mean())
    assert abs(share - UNKNOWN_CATEGORY_SHARE) < 0.005
    assert (codes == 1).all()  # the input is left untouched

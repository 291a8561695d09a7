import numpy as np
import pandas as pd
import pytest

from dlcheck.data.tabular.prepare import prepare
from dlcheck.data.tabular.profile import detect_task, infer_column_kind
from dlcheck.errors import DataError


@pytest.mark.parametrize(("values", "task"), [
    (["a", "b"] * 20, "binary"),
    ([0, 1] * 20, "binary"),
    (["x", "y", "z"] * 20, "multiclass"),
    (list(range(5)) * 10, "multiclass"),
    (np.linspace(0, 1, 50).tolist(), "regression"),
    (list(range(100)), "regression"),
])
def test_detect_task(values, task):
    assert detect_task(pd.Series(values)) == task


def test_column_kinds():
    n = 200
    rng = np.random.default_rng(0)
    df = pd.DataFrame({
        "customer_id": np.arange(n),
        "code": [f"C{i:05d}" for i in rng.permutation(n)],
        "age": rng.integers(18, 90, n),
        "income": rng.lognormal(10, 1, n),
        "flag": rng.choice(["yes", "no"], n),
        "city": rng.choice(["paris", "oslo", "rome"], n),
        "signup": pd.date_range("2020-01-01", periods=n, freq="D").astype(str),
        "comment": [f"the customer said thing number {i} about the product" for i in range(n)],
        "constant": 7,
    })
    kinds = {c: infer_column_kind(df[c]) for c in df}
    assert kinds == {
        "customer_id": "id", "code": "id", "age": "numeric", "income": "numeric",
        "flag": "boolean", "city": "categorical", "signup": "datetime", "comment": "text",
        "constant": "constant",
    }


def test_prepare_drops_id_constant_text_with_findings_and_expands_dates():
    n = 100
    rng = np.random.default_rng(1)
    df = pd.DataFrame({
        "id": np.arange(n),
        "constant": "same",
        "note": [f"free text entry number {i} written by a person" for i in range(n)],
        "when": pd.date_range("2021-01-01", periods=n, freq="7D"),
        "x": rng.normal(size=n),
        "target": rng.choice(["a", "b"], n),
    })
    prepared = prepare(df, "target")
    assert set(prepared.dropped_columns) == {"id", "constant", "note"}
    checks = {f.check: f for f in prepared.findings}
    assert checks["id_columns"].evidence["columns"] == ["id"]
    assert checks["constant_columns"].evidence["columns"] == ["constant"]
    assert checks["text_columns"].evidence["columns"] == ["note"]
    assert "when__year" in prepared.X and "when__month" in prepared.X
    assert "when" not in prepared.X
    assert prepared.classes == ["a", "b"] and prepared.task == "binary"


def test_missing_target_rows_are_left_out_with_a_finding():
    df = pd.DataFrame({"x": range(40), "y": [0, 1, None, 1] * 10})
    prepared = prepare(df, "y")
    assert prepared.n_rows == 30
    assert any(f.check == "missing_target" for f in prepared.findings)


def test_missing_target_column_suggests_close_names():
    df = pd.DataFrame({"Churn": [0, 1] * 20, "x": range(40)})
    with pytest.raises(DataError, match="Did you mean 'Churn'"):
        prepare(df, "churn")


def test_singleton_class_is_left_out():
    df = pd.DataFrame({"x": range(41), "y": ["a", "b"] * 20 + ["c"]})
    prepared = prepare(df, "y")
    assert prepared.classes == ["a", "b"]
    assert any(f.check == "singleton_classes" for f in prepared.findings)

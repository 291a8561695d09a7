import numpy as np
import pandas as pd

from dlcheck.checks.leakage import (
    DuplicatesAcrossFolds,
    GoldenFeature,
    IdentifierColumns,
    identifier_order,
)
from dlcheck.data.prepare import prepare


def _table(n: int = 1000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 5)), columns=list("abcde"))
    df["y"] = (df["a"] + rng.normal(0, 1.5, n) > 0).astype(int)
    return df


def test_injected_leaked_column_is_named_and_blocks(make_context):
    df = _table()
    df["approved_later"] = df["y"] * 10 + np.random.default_rng(1).normal(0, 1, len(df))
    [finding] = GoldenFeature().run(make_context(df, "y", best_score=0.99))
    assert finding.blocking and finding.severity == "critical"
    assert list(finding.evidence["columns"]) == ["approved_later"]
    assert "approved_later" in finding.summary


def test_leaked_category_is_found_too(make_context):
    df = _table()
    df["status"] = np.where(df["y"] == 1, "closed_won", "closed_lost")
    [finding] = GoldenFeature().run(make_context(df, "y", best_score=0.99))
    assert finding.blocking and "status" in finding.evidence["columns"]


def test_honest_table_has_no_leak(make_context):
    assert GoldenFeature().run(make_context(_table(), "y", best_score=0.75)) == []


def test_regression_leak_uses_r2(make_context):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=500)})
    df["y"] = df["x"] + rng.normal(0, 1, 500)
    df["y_copy"] = df["y"] * 2 + 1
    [finding] = GoldenFeature().run(make_context(df, "y", best_score=0.5))
    assert finding.blocking and finding.evidence["metric"] == "r2"


def test_duplicated_rows_across_folds_block(make_context):
    df = _table(600).sample(frac=1.5, replace=True, random_state=0).reset_index(drop=True)
    [finding] = DuplicatesAcrossFolds().run(make_context(df, "y"))
    assert finding.blocking and finding.evidence["share_of_test_rows"] > 0.3


def test_unique_rows_have_no_duplicate_finding(make_context):
    assert DuplicatesAcrossFolds().run(make_context(_table(), "y")) == []


def _numbered_by_target(df: pd.DataFrame, start: int = 1000) -> np.ndarray:
    """A numbering handed out after sorting the rows by outcome (ties at random)."""
    rng = np.random.default_rng(2)
    order = np.argsort(df["y"].to_numpy() + rng.random(len(df)), kind="stable")
    numbers = np.empty(len(df), dtype=int)
    numbers[order] = np.arange(len(df)) + start
    return numbers


def test_dropped_id_numbered_by_the_target_is_reported_without_blocking(make_context):
    df = _table().assign(order_id=lambda d: _numbered_by_target(d))
    context = make_context(df, "y")
    assert "order_id" in context.prepared.dropped_columns  # the models never see it
    [finding] = IdentifierColumns().run(context)
    assert finding.severity == "warning" and not finding.blocking
    assert finding.evidence["columns"]["order_id"]["score"] > 0.95
    assert not finding.evidence["columns"]["order_id"]["kept"]
    assert "order_id" in finding.summary and "--time-col" in finding.advice


def test_dropped_text_ids_are_read_in_natural_order(make_context):
    df = _table().assign(code=lambda d: [f"C{i}" for i in _numbered_by_target(d, start=1)])
    [finding] = IdentifierColumns().run(make_context(df, "y"))
    assert list(finding.evidence["columns"]) == ["code"]
    assert identifier_order(pd.Series(["A2", "A10", None, "A1", "B1"])).tolist()[:2] == [1, 2]


def test_random_ids_are_not_reported(make_context):
    rng = np.random.default_rng(3)
    df = _table().assign(order_id=rng.permutation(1000) + 1000,
                         code=[f"C{i}" for i in rng.permutation(1000)])
    assert {"order_id", "code"} <= set(make_context(df, "y").prepared.dropped_columns)
    assert IdentifierColumns().run(make_context(df, "y")) == []


def test_kept_numbering_that_leaks_blocks(make_context):
    # Unique integers, not named like an ID and not in row order: the models use it.
    df = _table().assign(ticket=lambda d: _numbered_by_target(d))
    context = make_context(df, "y")
    assert "ticket" in context.prepared.numeric_columns
    [finding] = IdentifierColumns().run(context)
    assert finding.blocking and finding.severity == "critical"
    assert list(finding.evidence["columns"]) == ["ticket"]


def test_kept_unique_measurement_is_not_an_identifier(make_context):
    # Incomes in dollars: unique integers, predictive, but spread thin over their range.
    rng = np.random.default_rng(4)
    df = _table()
    df["income"] = np.round(np.exp(10 + df["a"]) + rng.integers(0, 100, len(df))).astype(int)
    assert df["income"].nunique() > 0.95 * len(df)
    assert IdentifierColumns().run(make_context(df, "y")) == []


def test_regression_id_numbered_by_the_target(make_context):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=500)})
    df["y"] = df["x"] + rng.normal(0, 1, 500)
    df["row_id"] = np.argsort(np.argsort(df["y"].to_numpy()))
    [finding] = IdentifierColumns().run(make_context(df, "y"))
    assert finding.evidence["metric"] == "r2" and finding.evidence["chance"] == 0.0
    assert finding.evidence["columns"]["row_id"]["score"] > 0.9


def test_prepare_keeps_the_values_of_dropped_ids_row_for_row():
    df = pd.DataFrame({"customer_id": [f"K{i}" for i in range(60)],
                       "x": np.arange(60.0), "y": [0, 1] * 30})
    df.loc[3, "y"] = None  # a row without a target is left out: the values stay aligned
    prepared = prepare(df, "y")
    assert list(prepared.dropped_values.columns) == ["customer_id"]
    assert len(prepared.dropped_values) == prepared.n_rows == 59
    assert prepared.dropped_values["customer_id"].iloc[3] == "K4"
    assert prepare(df.drop(columns="customer_id"), "y").dropped_values is None

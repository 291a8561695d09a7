import numpy as np
import pandas as pd

from dlcheck.checks.leakage import DuplicatesAcrossFolds, GoldenFeature


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

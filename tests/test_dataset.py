"""The table as a Dataset: what the engine reads of it, and its fingerprint (the run store's
key for reusing finished jobs)."""

import numpy as np
import pandas as pd

from dlcheck.data.loading import load_table
from dlcheck.data.tabular import TableData, prepare


def _table(n: int = 80, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(size=n), "colour": rng.choice(["red", "blue"], n),
                         "g": np.arange(n) // 4, "y": rng.choice(["a", "b"], n)})


def test_fingerprint_follows_what_the_models_see_not_the_file_name(tmp_path):
    df = _table()
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    df.to_csv(a, index=False)
    df.to_csv(b, index=False)
    assert prepare(load_table(a), "y").fingerprint() == prepare(load_table(b), "y").fingerprint()
    changed = df.copy()
    changed.loc[0, "x"] += 0.5
    assert prepare(changed, "y").fingerprint() != prepare(df, "y").fingerprint()
    renamed = df.rename(columns={"x": "w"})
    assert prepare(renamed, "y").fingerprint() != prepare(df, "y").fingerprint()
    relabelled = df.assign(y=df["y"].map({"a": "b", "b": "a"}))
    assert prepare(relabelled, "y").fingerprint() != prepare(df, "y").fingerprint()
    grouped = prepare(df, "y", group_col="g").fingerprint()
    assert grouped != prepare(df.drop(columns="g"), "y").fingerprint()
    assert grouped == prepare(df.copy(), "y", group_col="g").fingerprint()


def test_subset_keeps_every_per_row_value_aligned():
    data = prepare(_table(), "y", group_col="g")
    rows = np.array([5, 1, 40, 41])
    part = data.subset(rows)
    assert isinstance(part, TableData) and part.kind == "table"
    assert part.n_rows == 4 and part.n_features == data.n_features
    np.testing.assert_array_equal(part.y, data.y[rows])
    np.testing.assert_array_equal(part.groups, data.groups[rows])
    np.testing.assert_array_equal(part.source_rows, data.source_rows[rows])
    pd.testing.assert_frame_equal(part.X, data.X.iloc[rows].reset_index(drop=True))
    assert part.fingerprint() != data.fingerprint()
    assert data.n_rows == 80  # the original is untouched


def test_model_inputs_hand_the_models_rows_by_position():
    data = prepare(_table(), "y")
    inputs = data.model_inputs()
    assert inputs.kind == "table" and inputs.n_features == data.X.shape[1]
    assert inputs.features.numeric == data.numeric_columns
    assert inputs.features.categorical == data.categorical_columns
    pd.testing.assert_frame_equal(inputs.take(np.array([3, 0])), data.X.iloc[[3, 0]])

import numpy as np
import pandas as pd

from dlcheck.checks.data_quantity import DataQuantity


def test_tiny_table_gets_a_data_quantity_finding(make_context):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(60, 12)), columns=[f"x{i}" for i in range(12)])
    df["y"] = [0, 1] * 30
    codes = {f.summary.split()[0] for f in DataQuantity().run(make_context(df, "y"))}
    assert {"Only", "2", "5.0"} <= codes  # rows overall, rows per class, rows per feature


def test_large_table_gets_none(make_context):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(3000, 5)), columns=list("abcde"))
    df["y"] = rng.integers(0, 2, 3000)
    assert DataQuantity().run(make_context(df, "y")) == []

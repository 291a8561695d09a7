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


def test_a_near_constant_target_blocks(make_context):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(2000, 3)), columns=list("abc"))
    df["y"] = 0
    df.loc[:11, "y"] = 1  # 12 positives in 2,000 rows: about 2 per test fold
    findings = DataQuantity().run(make_context(df, "y"))
    [blocking] = [f for f in findings if f.blocking]
    assert blocking.confidence == "high" and "nearly constant" in blocking.summary
    df.loc[:99, "y"] = 1  # 100 positives: rare, but a benchmark can measure them
    assert not any(f.blocking for f in DataQuantity().run(make_context(df, "y")))


def test_a_near_constant_numeric_target_blocks(make_context):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(1000, 3)), columns=list("abc"))
    df["y"] = 0.0
    df.loc[:29, "y"] = rng.normal(size=30)
    assert any(f.blocking for f in DataQuantity().run(make_context(df, "y")))

import json

import numpy as np
import pandas as pd
import pytest

from dlcheck.checks.meta_features import MetaFeatures

NAMES = ("uninformative_share", "skewed_share", "categorical_share", "training_rows",
         "rows_per_feature", "target_irregularity")


def _run(make_context, df, target="y", check=MetaFeatures(), task="auto"):
    [finding] = check.run(make_context(df, target, task=task))
    return finding, finding.evidence["meta_features"]


def _gaussian(n: int, k: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(n, k)), columns=[f"x{i}" for i in range(k)])


def test_many_pure_noise_columns_are_named_and_point_to_trees(make_context, rng):
    df = _gaussian(1500, 3)
    noise = [f"noise{i}" for i in range(12)]
    for name in noise:
        df[name] = rng.normal(size=len(df))
    df["y"] = (df["x0"] + 0.8 * df["x1"] - 0.6 * df["x2"] + rng.normal(0, 0.5, len(df)) > 0)
    finding, metas = _run(make_context, df.astype({"y": int}))
    named = set(finding.evidence["uninformative_columns"])
    assert not named & {"x0", "x1", "x2"}
    assert len(named & set(noise)) >= 10  # 5% of noise columns may pass the test by chance
    assert metas["uninformative_share"]["value"] >= 10 / 15
    assert metas["uninformative_share"]["suggests"] == "trees"
    assert "Uninformative: noise" in finding.summary


def test_informative_gaussian_features_with_a_smooth_target_do_not(make_context, rng):
    df = _gaussian(2000, 5)
    df["y"] = df.sum(axis=1) + np.tanh(df["x0"]) + rng.normal(0, 0.5, len(df))
    finding, metas = _run(make_context, df)
    assert finding.evidence["uninformative_columns"] == []
    assert metas["uninformative_share"]["suggests"] == "neutral"
    assert metas["skewed_share"]["value"] == 0 and metas["skewed_share"]["suggests"] == "neutral"
    assert metas["target_irregularity"]["suggests"] == "networks"
    assert finding.evidence["tally"] == {"trees": 1, "networks": 1, "neutral": 4}  # 1,600 rows


def test_a_step_target_is_more_irregular_than_a_smooth_one(make_context, rng):
    df = _gaussian(2000, 3)
    noise = rng.normal(0, 0.5, len(df))
    step = (df > 0.3).sum(axis=1) + noise
    smooth = df.sum(axis=1) + noise
    _, step_metas = _run(make_context, df.assign(y=step))
    _, smooth_metas = _run(make_context, df.assign(y=smooth))
    stepped, smoothed = step_metas["target_irregularity"], smooth_metas["target_irregularity"]
    assert stepped["value"] > smoothed["value"] + 2 * stepped["standard_error"]
    assert stepped["suggests"] == "trees" and smoothed["suggests"] == "networks"
    # The same holds for a class label drawn from the two scores.
    _, step_cls = _run(make_context, df.assign(y=(step > step.median()).astype(int)))
    _, smooth_cls = _run(make_context, df.assign(y=(smooth > 0).astype(int)))
    assert step_cls["target_irregularity"]["value"] > smooth_cls["target_irregularity"]["value"]


def test_skewed_and_heavy_tailed_features_are_counted_and_flags_are_not(make_context, rng):
    n = 1000
    df = pd.DataFrame({
        "income": rng.lognormal(3, 1, n), "claims": rng.lognormal(0, 1.5, n),
        "returns": rng.standard_t(2, n), "age": rng.normal(40, 10, n),
        "height": rng.normal(170, 10, n), "score": rng.uniform(size=n),
        "rare_flag": (rng.random(n) < 0.03).astype(float),
    })
    df["y"] = (np.log(df["income"]) + df["age"] / 10 + rng.normal(size=n) > 7).astype(int)
    finding, metas = _run(make_context, df)
    assert finding.evidence["skewed_columns"] == ["income", "claims", "returns"]
    assert metas["skewed_share"]["value"] == 0.5  # the 0/1 flag is not judged
    assert metas["skewed_share"]["suggests"] == "trees"
    assert "Skewed or heavy-tailed: income, claims, returns." in finding.summary


def test_categorical_share_and_high_cardinality(make_context, rng):
    n = 1200
    df = _gaussian(n, 2)
    df["city"] = rng.choice([f"city{i}" for i in range(120)], n)
    df["plan"] = rng.choice(["basic", "plus", "pro"], n)
    df["y"] = df["x0"] + (df["plan"] == "pro") + rng.normal(0, 0.5, n)
    finding, metas = _run(make_context, df)
    assert metas["categorical_share"]["value"] == 0.5
    assert metas["categorical_share"]["suggests"] == "trees"
    assert finding.evidence["high_cardinality_columns"] == ["city"]
    assert finding.evidence["categorical_levels"] == {"city": 120, "plan": 3}
    assert "plan" not in finding.evidence["uninformative_columns"]


def test_rows_and_rows_per_feature_follow_their_thresholds(make_context, rng):
    df = _gaussian(500, 10)
    df["y"] = df["x0"] + rng.normal(size=500)
    _, metas = _run(make_context, df)
    assert metas["training_rows"]["value"] == 400
    assert metas["training_rows"]["suggests"] == "trees"
    assert metas["rows_per_feature"]["value"] == 40 and metas["rows_per_feature"]["suggests"] \
        == "trees"
    _, relaxed = _run(make_context, df, check=MetaFeatures(rows_trees=100,
                                                          rows_per_feature_trees=10))
    assert relaxed["training_rows"]["suggests"] == relaxed["rows_per_feature"]["suggests"] \
        == "neutral"


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_every_task_with_missing_values_gives_one_json_ready_info_finding(make_context, rng,
                                                                          task):
    n = 800
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.lognormal(size=n),
                       "c": rng.choice(["x", "y", "z", None], n), "d": rng.normal(size=n)})
    df.loc[rng.random(n) < 0.2, "a"] = np.nan
    df.loc[rng.random(n) < 0.1, "b"] = np.nan
    signal = df["a"].fillna(0) + (df["c"] == "x")
    df["y"] = {"binary": (signal > 0.3).astype(int), "multiclass": np.digitize(signal, [0, 0.8]),
               "regression": signal + rng.normal(0, 0.3, n)}[task]
    finding, metas = _run(make_context, df, task=task)
    assert finding.severity == "info" and not finding.blocking and finding.advice
    assert finding.summary.startswith("A prior, not the verdict")
    assert finding.summary.endswith("The benchmark decides.")
    assert set(metas) == set(NAMES)
    assert all(m["suggests"] in {"trees", "networks", "neutral"} and m["why"]
               for m in metas.values())
    assert sum(finding.evidence["tally"].values()) == len(NAMES)
    assert not {"a", "c"} & set(finding.evidence["uninformative_columns"])
    json.dumps(finding.evidence, allow_nan=False)
    assert ("smallest_class_rows" in finding.evidence) == (task != "regression")


def test_a_single_feature_and_a_categorical_only_table(make_context, rng):
    n = 300
    one = pd.DataFrame({"x": rng.normal(size=n)})
    one["y"] = (one["x"] > 0).astype(int)
    finding, metas = _run(make_context, one)
    assert metas["uninformative_share"]["value"] == 0
    assert metas["rows_per_feature"]["value"] == 240
    json.dumps(finding.evidence, allow_nan=False)

    cats = pd.DataFrame({"c": rng.choice(list("abcd"), n), "d": rng.choice(list("xy"), n)})
    cats["y"] = (cats["c"] == "a").astype(int)
    finding, metas = _run(make_context, cats)
    assert metas["skewed_share"]["value"] is None
    assert metas["target_irregularity"]["value"] is None
    assert metas["skewed_share"]["suggests"] == metas["target_irregularity"]["suggests"] \
        == "neutral"
    assert metas["categorical_share"]["value"] == 1
    json.dumps(finding.evidence, allow_nan=False)


def test_same_seed_same_figures(make_context, rng):
    df = _gaussian(600, 4)
    df["y"] = (df["x0"] + rng.normal(size=600) > 0).astype(int)
    context = make_context(df, "y")
    assert MetaFeatures().run(context)[0].evidence == MetaFeatures().run(context)[0].evidence

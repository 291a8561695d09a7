import json

import numpy as np
import pandas as pd
import pytest

from dlcheck.benchmark.splits import Fold
from dlcheck.checks import NotApplicable
from dlcheck.checks.time_leakage import TimeSplitGap, shuffled_twins
from tests.checks._real_benchmark import benchmarked


def _timed(drift: bool, task: str = "binary", n: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Two rows a day. With drift, the direction that decides the target turns over the
    period from 'a' through 'b' to minus 'a'; without it, 'a' decides throughout. Rows come
    shuffled."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 3)), columns=list("abc"))
    theta = np.pi * np.arange(n) / n if drift else np.zeros(n)
    signal = np.cos(theta) * df["a"] + np.sin(theta) * df["b"] + rng.normal(0, 0.5, n)
    df["y"] = {"binary": (signal > 0).astype(int), "regression": signal,
               "multiclass": np.digitize(signal, [-0.5, 0.5])}[task]
    df["day"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.arange(n) // 2, unit="D")
    return df.sample(frac=1, random_state=seed)


def test_drift_shows_a_gap_between_shuffled_and_time_splits():
    context = benchmarked(_timed(drift=True), "y", ("dummy", "linear"), time_col="day")
    [finding] = TimeSplitGap().run(context)
    e = finding.evidence
    assert finding.severity == "warning" and not finding.blocking
    assert e["gap"] > 0.1 and e["shuffled_score"] > e["time_score"] + 0.1
    assert e["time_score"] == pytest.approx(context.results.get("linear").mean, abs=1e-4)
    assert e["n_folds"] == 5 and e["model"] == "linear"
    assert "overstate" in finding.summary
    json.dumps(e, allow_nan=False)


def test_no_drift_shows_no_gap():
    context = benchmarked(_timed(drift=False), "y", ("dummy", "linear"), time_col="day")
    [finding] = TimeSplitGap().run(context)
    assert finding.severity == "info" and abs(finding.evidence["gap"]) < 0.05


def test_regression_gap_is_relative():
    context = benchmarked(_timed(drift=True, task="regression"), "y", ("dummy", "linear"),
                          time_col="day")
    [finding] = TimeSplitGap().run(context)
    assert finding.severity == "warning" and finding.evidence["metric"] == "rmse"
    assert finding.evidence["relative_gap"] > 0.1
    context = benchmarked(_timed(drift=False, task="regression"), "y", ("dummy", "linear"),
                          time_col="day")
    assert TimeSplitGap().run(context)[0].severity == "info"


def test_the_best_affordable_classical_model_is_refitted():
    context = benchmarked(_timed(drift=False, task="multiclass"), "y",
                          ("dummy", "linear", "shallow_tree"), time_col="day")
    [finding] = TimeSplitGap(budget_share=0.0).run(context)  # nothing fits: the cheapest
    cheapest = min((m for m in context.results.models if m.family != "baseline"),
                   key=lambda m: m.fit_seconds)
    assert finding.evidence["model"] == cheapest.name
    assert "cheapest" in finding.evidence["why_this_model"]


def test_not_applicable_without_a_time_column():
    context = benchmarked(_timed(drift=True), "y", ("dummy", "linear"))
    with pytest.raises(NotApplicable):
        TimeSplitGap().run(context)


def test_twins_keep_each_folds_rows_and_sizes():
    y = np.array([0, 1] * 50)
    fold = Fold(0, 2, np.arange(60), np.arange(60, 100))
    [twin] = shuffled_twins([fold], y, True, seed=0)
    assert twin.id == fold.id and len(twin.train) == 60 and len(twin.test) == 40
    assert sorted(np.concatenate([twin.train, twin.test])) == list(range(100))
    assert not np.array_equal(twin.test, fold.test)
    assert y[twin.test].mean() == pytest.approx(0.5)  # stratified

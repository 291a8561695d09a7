"""A fold's preprocessing fitted once in a worker serves every job on the same rows: the
models fitted on it are those a whole pipeline fit gives, and their costs still count it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlcheck._config import BUDGETS
from dlcheck.benchmark import preprocessed
from dlcheck.benchmark.jobs import Job
from dlcheck.benchmark.runner import run_job
from dlcheck.benchmark.splits import make_folds
from dlcheck.models.registry import get_model
from tests.helpers import bench_data


def _data():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(400, 5)), columns=[f"x{i}" for i in range(5)])
    X.loc[rng.random(400) < 0.1, "x1"] = np.nan
    X["c"] = rng.choice(["a", "b", "c"], 400)
    y = (X["x0"] + (X["c"] == "b") + rng.normal(0, 1, 400) > 0).to_numpy().astype(np.int64)
    data = bench_data(X=X, y=y, task="binary", n_classes=2, numeric=[f"x{i}" for i in range(5)],
                      categorical=["c"], budget=BUDGETS["quick"], seed=0, device="cpu")
    return data, make_folds(y, True, 3, 1, 0).folds


def test_jobs_reusing_a_folds_preprocessing_give_the_models_a_whole_fit_gives():
    data, folds = _data()
    preprocessed.clear()
    fold = folds[0]
    for name in ("linear", "lightgbm", "mlp"):
        spec = get_model(name, "table")
        whole = spec.build(data.context())
        X_train, X_test = data.rows(fold.train), data.rows(fold.test)
        whole.fit(X_train, data.y[fold.train])
        expected = whole.predict_proba(X_test)
        for _ in range(2):  # the first job fits the preprocessing, the second reuses it
            result = run_job(Job(name, fold), data)
            assert result.ok, result.error
            np.testing.assert_array_equal(result.predictions, expected.astype(np.float32))


def test_a_shuffled_labels_job_reuses_the_preprocessing_and_still_counts_its_seconds():
    data, folds = _data()
    preprocessed.clear()
    run_job(Job("linear", folds[0]), data)
    [entry] = preprocessed._entries.values()
    shuffled = run_job(Job("linear", folds[0], permutation=3), data)
    assert shuffled.ok and len(preprocessed._entries) == 1  # the same entry served it
    assert shuffled.fit_seconds >= entry.fit_seconds  # the model's cost includes it
    run_job(Job("linear", folds[1]), data)  # other rows: another entry
    assert len(preprocessed._entries) == 2


def test_the_image_networks_raw_pixels_are_not_kept():
    assert preprocessed.prepared("passthrough", "passthrough", object(), np.arange(3),
                                 np.arange(3), None, None) is None


def test_jobs_in_threads_share_the_kept_preprocessing_safely(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    data, folds = _data()
    preprocessed.clear()
    monkeypatch.setattr(preprocessed, "MAX_BYTES", 40_000)  # entries evicted all along
    jobs = [Job("linear", folds[i % 3], permutation=i) for i in range(60)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda job: run_job(job, data), jobs))
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:1]

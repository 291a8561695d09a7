"""The run keeps the full fits of its first folds, so that the checks' probes read the model
the benchmark fitted instead of fitting it again; anything else is fitted as before."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from dlcheck.benchmark.fit_cache import FitCache
from dlcheck.benchmark.jobs import Job
from dlcheck.benchmark.runner import run_job
from dlcheck.benchmark.splits import make_folds
from dlcheck.pipeline import assess
from dlcheck.probes import probe_hook
from tests.helpers import SMOKE_BUDGET, bench_data


@pytest.fixture
def table():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=[f"x{i}" for i in range(4)])
    y = (X["x0"] + rng.normal(0, 1, 300) > 0).to_numpy().astype(np.int64)
    split = make_folds(y, True, 3, 1, 0)
    cache = FitCache.create([split.folds[0].id])
    data = bench_data(X=X, y=y, task="binary", n_classes=2, numeric=list(X.columns),
                      budget=SMOKE_BUDGET, seed=0, device="cpu", fit_cache=cache)
    yield data, split.folds
    cache.remove()


def test_a_probe_on_a_kept_fold_reads_the_benchmarks_fit_instead_of_fitting_again(table):
    data, folds = table
    first = run_job(Job("random_forest", folds[0], keep_fit=True), data)
    # The robustness check's job for the same model, filed under another name.
    probed = run_job(Job("random_forest", folds[0], name="forest_again",
                         after_fit=probe_hook("robustness")), data)
    assert first.ok and probed.ok
    assert probed.fit_seconds == first.fit_seconds  # a refit's clock would read otherwise
    assert np.array_equal(probed.predictions, first.predictions)
    assert probed.size_bytes == first.size_bytes > 0
    assert "robustness" in probed.extras


def test_other_folds_parameters_shuffles_and_fractions_are_fitted_afresh(table):
    data, folds = table
    first = run_job(Job("random_forest", folds[0], keep_fit=True), data)
    others = [
        Job("random_forest", folds[1]),  # a fold whose fits are not kept
        Job("random_forest", folds[0], params=(("min_samples_leaf", 5),)),
        Job("random_forest", folds[0], permutation=1),
        Job("random_forest", folds[0], fraction=0.5),
        # A fold of a check's own under the same id (the time check's shuffled twins).
        Job("random_forest", replace(folds[0], train=folds[0].train[:-10],
                                     test=np.sort(np.r_[folds[0].test, folds[0].train[-10:]]))),
    ]
    for job in others:
        job = replace(job, keep_fit=True)
        again = run_job(job, data)
        assert again.ok and again.fit_seconds != first.fit_seconds, job.key
    kept = {name for name in os.listdir(data.fit_cache.directory) if name.endswith(".pkl")}
    assert len(kept) == 3  # the defaults, the other parameters, the other rows
    not_asked = run_job(Job("linear", folds[0]), data)  # a check's refit keeps nothing
    assert not_asked.ok and len(
        [n for n in os.listdir(data.fit_cache.directory) if n.endswith(".pkl")]) == 3


def test_a_kept_fit_that_cannot_be_read_is_fitted_again(table):
    data, folds = table
    first = run_job(Job("linear", folds[0], keep_fit=True), data)
    data.fit_cache.remove()
    again = run_job(Job("linear", folds[0]), data)
    assert again.ok and again.fit_seconds != first.fit_seconds
    assert np.allclose(again.predictions, first.predictions)


def test_a_run_leaves_no_kept_fit_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    made = []
    monkeypatch.setattr(FitCache, "create", classmethod(
        lambda cls, ids: made.append(FitCache(tempfile.mkdtemp(prefix="dlcheck-fits-"),
                                              frozenset(ids))) or made[-1]))
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(120, 3)), columns=["a", "b", "c"])
    df["y"] = (df["a"] > 0).astype(int)
    budget = replace(SMOKE_BUDGET, n_permutations=1)
    assess(df, "y", budget=budget, skip_checks=["learning_curves", "permutation_test"])
    assert len(made) == 1 and made[0].fold_ids  # the run kept its first folds' fits...
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("dlcheck-fits-")]  # ...and
    # removed them when it ended

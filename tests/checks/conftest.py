from dataclasses import replace
from functools import partial

import numpy as np
import pytest

from dlcheck._config import BUDGETS
from dlcheck.benchmark.jobs import JobResult
from dlcheck.benchmark.results import BenchmarkResults, ModelResult
from dlcheck.benchmark.runner import run_job
from dlcheck.benchmark.scoring import METRICS, METRICS_BY_TASK, PRIMARY_METRIC
from dlcheck.benchmark.splits import make_folds
from dlcheck.checks import CheckContext
from dlcheck.data.tabular.prepare import prepare
from dlcheck.executors.local import LocalExecutor
from tests.helpers import bench_data

TEST_BUDGET = replace(BUDGETS["quick"], tuning_trials=3, tuning_rows=500, n_permutations=9,
                      max_epochs=30)
"""The quick budget, with tuning cut to 3 trials on 500 rows a fold, 9 label shuffles (too few
to decide: the tests that need a decision set their own) and networks capped at 30 epochs:
tests check behaviour, not depth."""


@pytest.fixture
def make_context():
    """A check context for a table, with a stand-in benchmark whose best model scores
    `best_score` (checks read the folds and the best model, not how it was fitted)."""

    def make(df, target, best_score: float = 0.8, task: str = "auto") -> CheckContext:
        prepared = prepare(df, target, task)
        classification = prepared.task != "regression"
        split = make_folds(prepared.y, classification, 5, 1, seed=0)
        metric = PRIMARY_METRIC[prepared.task]
        secondary = {"accuracy": 0.9, "r2": best_score}
        model = ModelResult(
            name="lightgbm", family="ensemble", description="", metric=metric,
            fold_ids=[f.id for f in split.folds], fold_scores=[best_score] * len(split.folds),
            mean=best_score, ci_low=best_score, ci_high=best_score, fit_seconds=1.0,
            predict_ms_per_1k=1.0, size_bytes=1000, n_params=10, secondary=secondary,
            train_rows=len(split.folds[0].train), train_rows_available=len(split.folds[0].train))
        # Out-of-fold predictions that lean towards the true class, as a fair model's would.
        rng = np.random.default_rng(0)
        if classification:
            k = len(prepared.classes)
            oof = rng.dirichlet(np.ones(k), prepared.n_rows)
            oof[np.arange(prepared.n_rows), prepared.y] += 1.0
            oof /= oof.sum(axis=1, keepdims=True)
        else:
            oof = (prepared.y + rng.normal(0, prepared.y.std(), prepared.n_rows))[:, None]
        fold_results = {"lightgbm": {f.id: JobResult(
            key=f"lightgbm/{f.id}/1", model="lightgbm", fold_id=f.id, repeat=f.repeat,
            fraction=1.0, scores={m: best_score for m in METRICS_BY_TASK[prepared.task]},
            fit_seconds=1.0, predict_ms_per_1k=1.0, size_bytes=1000, n_params=10,
            n_train_rows=len(f.train), n_train_available=len(f.train)) for f in split.folds}}
        results = BenchmarkResults(prepared.task, METRICS[metric], split, [model], {},
                                   out_of_fold={"lightgbm": oof}, fold_results=fold_results)
        return CheckContext(dataset=prepared, results=results, budget=TEST_BUDGET)

    return make


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def with_jobs(context: CheckContext) -> CheckContext:
    """The same context, able to fit models in this process (one job at a time)."""
    p = context.dataset
    data = bench_data(X=p.X, y=p.y, task=p.task, n_classes=max(len(p.classes), 1),
                         numeric=p.numeric_columns, categorical=p.categorical_columns,
                         budget=context.budget, seed=0, device="cpu")
    executor = LocalExecutor(n_jobs=1)

    def run_jobs(jobs):
        return list(executor.map(partial(run_job, data=data), jobs))

    return CheckContext(p, context.results, context.budget, run_jobs=run_jobs)


def tune_and_check(context: CheckContext) -> list:
    """The tuned-variants stage on the context's results, as the pipeline runs it before the
    checks, then the tuning check's findings."""
    from dlcheck.benchmark.variants import add_tuned_variants
    from dlcheck.checks.tuning import Tuning

    add_tuned_variants(context.results, context.run_jobs, context.budget.tuning_trials,
                       context.budget.tuning_max_epochs, context.dataset.kind)
    return Tuning().run(context)

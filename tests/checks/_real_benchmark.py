"""A real, small benchmark for checks that read fitted models' results (not a stand-in)."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import numpy as np
import pandas as pd

from dlcheck._config import BUDGETS
from dlcheck.benchmark.jobs import plan_jobs
from dlcheck.benchmark.results import aggregate
from dlcheck.benchmark.runner import run_job
from dlcheck.benchmark.scoring import PRIMARY_METRIC
from dlcheck.benchmark.splits import make_folds
from dlcheck.checks import CheckContext
from dlcheck.data.tabular.prepare import prepare
from dlcheck.executors.local import LocalExecutor
from dlcheck.models.registry import get_model
from tests.helpers import bench_data

TINY = replace(BUDGETS["quick"], max_epochs=8, deep_row_passes=20_000, deep_width=32,
               patience=3, forest_trees=20, tabm_k=2)
"""Small enough for unit tests: deep models train for a few seconds at most."""


def benchmarked(df: pd.DataFrame, target: str, models: tuple[str, ...] = ("dummy", "linear"),
                time_col: str | None = None, budget=TINY) -> CheckContext:
    """The ladder's `models` benchmarked on the table as `assess` does (same folds, class
    weights from the imbalance ratio), in this process, with an executor for refits."""
    prepared = prepare(df, target, time_col=time_col)
    classification = prepared.task != "regression"
    split = make_folds(prepared.y, classification, budget.n_folds, 1, seed=0,
                       times=prepared.times)
    counts = np.bincount(prepared.y) if classification else np.ones(1)
    data = bench_data(X=prepared.X, y=prepared.y, task=prepared.task,
                         n_classes=max(len(prepared.classes), 1),
                         numeric=prepared.numeric_columns,
                         categorical=prepared.categorical_columns, budget=budget, seed=0,
                         imbalance_ratio=float(counts.max() / counts.min()), device="cpu")
    executor = LocalExecutor(n_jobs=1)

    def run_jobs(jobs):
        return list(executor.map(partial(run_job, data=data), jobs))

    specs = [get_model(m) for m in models]
    results = aggregate(run_jobs(plan_jobs(specs, split.folds)), specs, prepared.task,
                        PRIMARY_METRIC[prepared.task], split)
    return CheckContext(prepared, results, budget, run_jobs=run_jobs)

"""What a worker needs to fit and score any model on some rows of the data: the data as it
travels to workers, the fit parameters a model's inner split needs, and predictions in the
table's class layout. Shared by the runner, tuning and the probes, which import nothing above
it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from dlcheck._config import Budget
from dlcheck.models.registry import ModelContext


@dataclass(frozen=True)
class BenchmarkData:
    """The prepared table and everything a worker needs to build and score models."""

    X: pd.DataFrame
    y: np.ndarray
    task: str
    n_classes: int
    numeric: list[str]
    categorical: list[str]
    budget: Budget
    seed: int
    n_threads: int = 1
    imbalance_ratio: float = 1.0
    device: str = "auto"
    groups: np.ndarray | None = None
    """Group of each row (--group-col), for splits made inside a job (tuning)."""
    times: np.ndarray | None = None
    """Time of each row (--time-col), for splits made inside a job (tuning)."""

    def context(self) -> ModelContext:
        return ModelContext(
            task=self.task, numeric=self.numeric, categorical=self.categorical,
            budget=self.budget, random_state=self.seed, n_threads=self.n_threads,
            imbalance_ratio=self.imbalance_ratio, device=self.device,
        )

    @cached_property
    def _X_to_send(self) -> pd.DataFrame:
        return share_equal_strings(self.X, self.categorical)

    def __getstate__(self) -> dict:
        """What travels to a worker: the same table, with equal category strings as one shared
        object each, so the pickle and the worker's copy hold each distinct value once (at
        1M rows, 5 category columns shrink by about 100 MB in every worker). Made once."""
        state = {k: v for k, v in self.__dict__.items() if k != "_X_to_send"}
        state["X"] = self._X_to_send
        return state


def share_equal_strings(X: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """X with each object column of `columns` rebuilt so that equal values are one object:
    the same values, missing ones as they were, held as references to a few strings."""
    out = X.copy(deep=False)
    for name in columns:
        col = X[name]
        if col.dtype != object:
            continue
        codes, uniques = pd.factorize(col)
        values = np.asarray(uniques, dtype=object)[np.maximum(codes, 0)]
        missing = codes < 0
        values[missing] = col.to_numpy()[missing]  # the very missing marker (NaN, None)
        out[name] = pd.Series(values, index=col.index, dtype=object)
    return out


def fit_params(estimator, data: BenchmarkData, rows: np.ndarray) -> dict:
    """What a model's own inner split (a network's early stopping) needs to split as the
    folds are: the times or the groups of its training rows, for models that take them."""
    import inspect

    accepted = inspect.signature(estimator.fit).parameters
    if data.times is not None and "split_order" in accepted:
        return {"model__split_order": np.asarray(data.times)[rows]}
    if data.groups is not None and "split_groups" in accepted:
        return {"model__split_groups": np.asarray(data.groups)[rows]}
    return {}


def predict_output(pipeline, X: pd.DataFrame, data: BenchmarkData) -> np.ndarray:
    """Class probabilities (one column per class of the whole table) or regression values."""
    if data.task == "regression":
        return np.asarray(pipeline.predict(X), dtype=float)
    proba = pipeline.predict_proba(X)
    # A training fold may lack a rare class: put each column where its class belongs.
    full = np.zeros((len(X), data.n_classes))
    full[:, pipeline.classes_.astype(int)] = proba
    return full

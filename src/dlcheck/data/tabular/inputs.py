"""A table's rows as the tabular ladder takes them, and as they travel to workers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TableFeatures:
    """What the tabular ladder's preprocessing needs: which columns are which."""

    numeric: list[str]
    categorical: list[str]


@dataclass(frozen=True)
class TableInputs:
    """The prepared feature table (numeric columns, then categorical ones)."""

    X: pd.DataFrame
    features: TableFeatures
    kind: ClassVar[str] = "table"

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    def take(self, rows: np.ndarray) -> pd.DataFrame:
        return self.X.iloc[rows]

    @cached_property
    def _X_to_send(self) -> pd.DataFrame:
        return share_equal_strings(self.X, self.features.categorical)

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

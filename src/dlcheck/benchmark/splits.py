"""One set of folds for every model: the comparison is paired."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
)

from dlcheck.errors import DataError


@dataclass(frozen=True)
class Fold:
    repeat: int
    index: int
    train: np.ndarray
    test: np.ndarray

    @property
    def id(self) -> str:
        return f"r{self.repeat}f{self.index}"


@dataclass(frozen=True)
class SplitPlan:
    folds: list[Fold]
    strategy: str
    """'stratified', 'kfold', 'grouped' or 'time': how rows were assigned to folds."""
    reason: str
    n_folds: int
    n_repeats: int

    @property
    def test_train_ratio(self) -> float:
        """n_test / n_train, the correction of Nadeau & Bengio's resampled t-test."""
        return float(np.mean([len(f.test) / len(f.train) for f in self.folds]))


def make_folds(
    y: np.ndarray,
    classification: bool,
    n_folds: int,
    n_repeats: int,
    seed: int,
    groups: np.ndarray | None = None,
    times: np.ndarray | None = None,
) -> SplitPlan:
    """Folds for the whole benchmark, chosen from the structure of the data."""
    n = len(y)
    if times is not None:
        order = np.argsort(times, kind="stable")
        splitter = TimeSeriesSplit(n_splits=n_folds)
        folds = [Fold(0, i, order[tr], order[te])
                 for i, (tr, te) in enumerate(splitter.split(order))]
        return SplitPlan(folds, "time", "forward-chaining: each fold trains on the past and "
                         "tests on the period after it (--time-col)", n_folds, 1)

    if groups is not None:
        n_groups = len(np.unique(groups))
        if n_groups < 2:
            raise DataError("--group-col has a single group: folds need at least 2 groups.")
        k = min(n_folds, n_groups)
        folds = []
        for r in range(n_repeats):
            splitter = (StratifiedGroupKFold(k, shuffle=True, random_state=seed + r)
                        if classification else GroupKFold(k, shuffle=True, random_state=seed + r))
            folds += [Fold(r, i, tr, te) for i, (tr, te) in
                      enumerate(splitter.split(np.zeros(n), y, groups))]
        return SplitPlan(folds, "grouped", "grouped: all rows of a group stay in the same fold "
                         "(--group-col), so no model is tested on a group it trained on",
                         k, n_repeats)

    if classification:
        smallest = int(np.bincount(y).min())
        k = max(2, min(n_folds, smallest))
        reason = "stratified: each fold keeps the class shares of the whole table"
        if k < n_folds:
            reason += f"; {k} folds because the smallest class has {smallest} rows"
        folds = []
        for r in range(n_repeats):
            splitter = StratifiedKFold(k, shuffle=True, random_state=seed + r)
            folds += [Fold(r, i, tr, te) for i, (tr, te) in enumerate(splitter.split(y, y))]
        return SplitPlan(folds, "stratified", reason, k, n_repeats)

    folds = []
    for r in range(n_repeats):
        splitter = KFold(n_folds, shuffle=True, random_state=seed + r)
        folds += [Fold(r, i, tr, te) for i, (tr, te) in enumerate(splitter.split(y))]
    return SplitPlan(folds, "kfold", "shuffled K-fold: rows are exchangeable", n_folds, n_repeats)

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
    def first_repeat(self) -> list[Fold]:
        """The folds of the first repeat: every row is tested exactly once (out of fold)."""
        return [f for f in self.folds if f.repeat == 0]

    def probe_folds(self, n: int) -> list[Fold]:
        """`n` folds (at least one) of the first repeat for checks that refit on a few folds:
        with time folds the latest, which train on the most rows, like the benchmark's models."""
        folds = self.first_repeat
        if self.strategy == "time":
            folds = folds[::-1]
        return folds[:max(1, n)]

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
    gap: int = 0,
) -> SplitPlan:
    """Folds for the whole benchmark, chosen from the structure of the data. `gap`: distinct
    times left out between each time fold's training and test periods (--gap)."""
    n = len(y)
    if gap and times is None:
        raise DataError("<gap> leaves periods out between training and test in time: it needs "
                        "<time_col>.")
    if times is not None:
        return _time_folds(y, classification, n_folds, times, gap)

    if groups is not None:
        n_groups = len(np.unique(groups))
        if n_groups < 2:
            raise DataError("<group_col> has a single group: folds need at least 2 groups.")
        k = min(n_folds, n_groups)
        folds = []
        for r in range(n_repeats):
            splitter = (StratifiedGroupKFold(k, shuffle=True, random_state=seed + r)
                        if classification else GroupKFold(k, shuffle=True, random_state=seed + r))
            folds += [Fold(r, i, tr, te) for i, (tr, te) in
                      enumerate(splitter.split(np.zeros(n), y, groups))]
        if classification and any(len(np.unique(y[f.test])) < 2 or len(np.unique(y[f.train])) < 2
                                  for f in folds):
            raise DataError(f"with <group_col>, some of the {k} folds hold a single class: "
                            "each group holds too few classes for a fair score. Use a group "
                            "column with more groups, or drop <group_col>.")
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


def _time_folds(y: np.ndarray, classification: bool, n_folds: int, times: np.ndarray,
                gap: int = 0) -> SplitPlan:
    # Split over distinct times, so rows sharing a timestamp never straddle train and test.
    distinct, row_time = np.unique(times, return_inverse=True)
    if len(distinct) <= n_folds:
        raise DataError(f"<time_col> has only {len(distinct)} distinct values: forward-chaining "
                        f"needs more than {n_folds}. Use a finer time column.")
    if gap < 0:
        raise DataError(f"<gap> must be 0 or more, not {gap}.")
    # TimeSeriesSplit needs n_samples - gap > n_splits, and each test period has
    # n_samples // (n_splits + 1) times: the gap must leave the first fold some training.
    if len(distinct) - gap <= n_folds or gap >= len(distinct) - (
            len(distinct) // (n_folds + 1)) * n_folds:
        raise DataError(f"<gap> {gap} leaves no training period: the {len(distinct)} distinct "
                        f"times of <time_col> split into {n_folds + 1} periods. Use a smaller "
                        "<gap>.")
    folds, skipped = [], 0
    splitter = TimeSeriesSplit(n_splits=n_folds, gap=gap)
    for tr_times, te_times in splitter.split(distinct):
        train = np.flatnonzero(np.isin(row_time, tr_times))
        test = np.flatnonzero(np.isin(row_time, te_times))
        if classification and (len(np.unique(y[train])) < 2 or len(np.unique(y[test])) < 2):
            skipped += 1  # an early period with a single class cannot train or score a model
            continue
        folds.append(Fold(0, len(folds), train, test))
    if len(folds) < 2:
        raise DataError("forward-chaining folds over <time_col> leave fewer than 2 periods "
                        "with every class present: the classes are too unevenly spread in "
                        "time. Drop <time_col> or collect more data.")
    reason = ("forward-chaining: each fold trains on the past and tests on the period after "
              "it (--time-col)")
    if gap:
        reason += f", {gap} distinct time(s) left out between them (--gap)"
    reason += ("; the folds train on growing amounts of the past, so their scores are not "
               "exchangeable and the corrected t interval is approximate")
    if skipped:
        reason += f"; {skipped} early period(s) skipped because they lacked a class"
    return SplitPlan(folds, "time", reason, len(folds), 1)


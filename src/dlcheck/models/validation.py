"""The inner validation split that a model's own early stopping and the tuning inside a fold
share, for data with groups. Below the benchmark and the models both, since both use it."""

from __future__ import annotations

import numpy as np


def group_holdout(groups: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions that fit and positions held out, whole groups at a time, the held-out part
    as close to `share` of the rows as whole groups allow (groups in a seeded random order,
    taken until the share is reached). scikit-learn's GroupShuffleSplit takes a share of the
    groups instead, which holds out half the rows when a few groups are large."""
    _, codes, sizes = np.unique(np.asarray(groups), return_inverse=True, return_counts=True)
    order = np.random.default_rng(seed).permutation(len(sizes))
    target = share * len(codes)
    # The first groups in `order` whose running size stays nearest the target.
    running = np.cumsum(sizes[order])
    k = int(np.argmin(np.abs(running - target))) + 1
    k = min(max(k, 1), len(sizes) - 1)  # at least one group on each side
    held = np.isin(codes, order[:k])
    return np.flatnonzero(~held), np.flatnonzero(held)


def validation_split(n: int, codes: np.ndarray | None, fraction: float, seed: int,
                     groups=None, order=None) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the rows a network trains on and of those that decide its early stopping,
    split as the benchmark's folds are: the latest rows by `order` (time), whole groups, else
    at random, stratified by the class `codes` when every class can be on both sides."""
    from sklearn.model_selection import train_test_split

    positions = np.arange(n)
    if order is not None:
        ranked = np.argsort(np.asarray(order), kind="stable")
        cut = n - int(np.ceil(fraction * n))
        return np.sort(ranked[:cut]), np.sort(ranked[cut:])
    if groups is not None and len(np.unique(groups)) >= 2:
        return group_holdout(groups, fraction, seed)
    stratify = None
    if codes is not None:
        counts = np.bincount(codes)
        n_valid = int(np.ceil(fraction * n))
        if counts.min() >= 2 and min(n_valid, n - n_valid) >= len(counts):
            stratify = codes
    return train_test_split(positions, test_size=fraction, stratify=stratify,
                            random_state=seed)

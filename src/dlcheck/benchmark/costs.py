"""What a model costs to keep: serialized size and number of learned parameters."""

from __future__ import annotations

import pickle

import numpy as np


class ByteCounter:
    """A write-only file that counts the bytes written and passes them on to `file`, if one
    is given (else keeps nothing)."""

    def __init__(self, file=None) -> None:
        self.n_bytes = 0
        self.file = file

    def write(self, data) -> int:
        # Protocol 5 hands large arrays over as PickleBuffer objects, which have no len().
        size = memoryview(data).nbytes
        self.n_bytes += size
        if self.file is not None:
            self.file.write(data)
        return size


def serialized_size(model: object) -> int:
    """Pickled size in bytes, counted as the pickle streams out: a large forest is never held
    twice in memory."""
    counter = ByteCounter()
    pickle.dump(model, counter, protocol=pickle.HIGHEST_PROTOCOL)
    return counter.n_bytes


def count_parameters(estimator: object) -> int:
    """Weights for networks, nodes for trees, coefficients for linear models."""
    if hasattr(estimator, "n_params_"):
        return int(estimator.n_params_)
    if hasattr(estimator, "booster_"):  # LightGBM: every node of every tree
        trees = estimator.booster_.dump_model(num_iteration=-1)["tree_info"]
        return int(sum(2 * t["num_leaves"] - 1 for t in trees))
    if hasattr(estimator, "estimators_"):
        return int(sum(count_parameters(e) for e in estimator.estimators_))
    if hasattr(estimator, "tree_"):
        return int(estimator.tree_.node_count)
    if hasattr(estimator, "coef_"):
        return int(np.size(estimator.coef_) + np.size(getattr(estimator, "intercept_", 0)))
    if hasattr(estimator, "class_prior_"):
        return int(np.size(estimator.class_prior_))
    if hasattr(estimator, "constant_"):
        return int(np.size(estimator.constant_))
    return 0

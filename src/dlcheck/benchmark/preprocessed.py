"""A fold's preprocessing fitted once in each worker and reused by every job that trains and
tests on the same rows with the same preprocessing.

Every ladder entry's preprocessing (imputing, scaling, encoding; pixels averaged down, HOG)
is fitted on the training rows' inputs alone, never on the labels, and with a fixed seed: the
permutation test's shuffles of one fold, the refits of a tuned model and the models of one
preprocessing style would each fit the very same transformer again. On small tables that
repeated fit and the test rows' transform are most of a job (breast_cancer, logistic
regression: 15 of a 23 ms job). The model step is fitted on the same transformed rows it
would have seen inside `Pipeline.fit`, so the fitted model is the same.

A model's reported costs still include its preprocessing: the seconds the transformer's fit
and the test rows' transform took when they were made are added to the fit and predict times
of every job that reuses them. Entries are kept per worker process, the least recently used
dropped past `MAX_BYTES`, and belong to one dataset object (a worker that serves another run
starts afresh)."""

from __future__ import annotations

import hashlib
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_BYTES = 32 * 2**20
"""Transformed rows (training and test) kept per worker at most."""

@dataclass
class Prepared:
    transformer: Any
    X_train: Any
    X_test: Any
    fit_seconds: float
    transform_seconds: float
    """Of the test rows, when they were transformed."""
    owner: weakref.ref
    n_bytes: int


_entries: OrderedDict[tuple, Prepared] = OrderedDict()
_lock = threading.Lock()


def prepared(transformer: Any, name: str, inputs: Any, train: np.ndarray, test: np.ndarray,
             X_train: Any, X_test: Any) -> Prepared | None:
    """`transformer` (an unfitted preprocessing step named `name`) fitted on the rows `train`
    of `inputs` (X_train) with the rows `test` (X_test) transformed, from this worker's cache
    or made now; None where nothing is to be fitted or kept."""
    if isinstance(transformer, str):  # "passthrough": the image networks take raw pixels
        return None
    key = (id(inputs), name, _digest(train), _digest(test))
    with _lock:  # a threaded executor runs jobs side by side in one process
        entry = _entries.get(key)
        if entry is not None and entry.owner() is inputs:
            _entries.move_to_end(key)
            return entry
    try:
        owner = weakref.ref(inputs)
    except TypeError:  # an input that cannot be referred to weakly is never kept
        return None
    start = time.perf_counter()
    Xt_train = transformer.fit_transform(X_train)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    Xt_test = transformer.transform(X_test)
    transform_seconds = time.perf_counter() - start
    entry = Prepared(transformer, Xt_train, Xt_test, fit_seconds, transform_seconds, owner,
                     _n_bytes(Xt_train) + _n_bytes(Xt_test))
    if entry.n_bytes <= MAX_BYTES:
        with _lock:
            _entries[key] = entry
            while sum(e.n_bytes for e in _entries.values()) > MAX_BYTES:
                _entries.popitem(last=False)
    return entry


def clear() -> None:
    with _lock:
        _entries.clear()


def _digest(rows: np.ndarray) -> bytes:
    return hashlib.blake2b(np.ascontiguousarray(rows).tobytes(), digest_size=16).digest()


def _n_bytes(X: Any) -> int:
    nbytes = getattr(X, "nbytes", None)
    if nbytes is None:  # a DataFrame
        nbytes = int(X.memory_usage(deep=True).sum()) if hasattr(X, "memory_usage") else 0
    return int(nbytes)

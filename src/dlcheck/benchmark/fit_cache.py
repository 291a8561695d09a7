"""Fitted models kept on disk for the length of one run, so that a check that probes a model
on its first folds (robustness, explainability) reads the model the benchmark or the tuning
stage fitted there instead of fitting it again: the same model, since the same ladder entry,
parameters, rows and seed give the same fit.

Only the benchmark's and the tuning stage's full fits on the true labels on the kept folds
are written (jobs with `keep_fit`, on `FitCache.fold_ids`): the pickle the runner streams
out to measure a model's size goes to a file instead of a byte counter, so keeping a fit
costs its disk space and nothing more. A job finds a kept fit by what defines the fit
(model, parameters, training and test rows), whatever name it is filed under: a tuned
variant's refit on a fold where its defaults won reads the default's fit. A fit that cannot
be read (another machine's worker, a file gone) is simply fitted again."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dlcheck.benchmark.costs import ByteCounter, serialized_size


@dataclass(frozen=True)
class FitCache:
    directory: str
    fold_ids: frozenset[str]
    """Folds whose full fits are kept."""

    @classmethod
    def create(cls, fold_ids) -> FitCache:
        return cls(tempfile.mkdtemp(prefix=f"dlcheck-fits-{os.getpid()}-"),
                   frozenset(fold_ids))

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def key(self, model: str, fold_id: str, params: dict[str, Any], train: np.ndarray,
            test: np.ndarray) -> str | None:
        """The file name of this fit (the model fitted on the rows `train` with `params`,
        tested on `test`), or None when fits of this fold are not kept. The rows are part
        of it: a check may make folds of its own under the benchmark's ids (the time check's
        shuffled twins)."""
        if fold_id not in self.fold_ids:
            return None
        digest = hashlib.sha256(repr((model, fold_id, sorted(params.items()))).encode())
        for rows in (train, test):
            digest.update(np.ascontiguousarray(rows, dtype=np.int64).tobytes())
        return digest.hexdigest()[:24]

    def save(self, key: str, pipeline: Any, figures: dict[str, Any]) -> int:
        """Write the fitted pipeline and `figures` (its fit's seconds); its pickled size in
        bytes, as `costs.serialized_size` counts it. A failed write, or one that would pass
        `MAX_BYTES` in all, keeps nothing."""
        path = Path(self.directory) / f"{key}.pkl"
        temporary = None
        try:
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(handle, "wb") as file:
                counter = ByteCounter(file)
                pickle.dump(pipeline, counter, protocol=pickle.HIGHEST_PROTOCOL)
            if _folder_bytes(self.directory) > MAX_BYTES:
                os.unlink(temporary)
                return counter.n_bytes
            _write_atomically(path.with_suffix(".json"), json.dumps(
                {**figures, "size_bytes": counter.n_bytes}).encode(), self.directory)
            os.replace(temporary, path)  # last: a .pkl on disk has its figures beside it
        except OSError:
            if temporary is not None and os.path.exists(temporary):
                os.unlink(temporary)
            return serialized_size(pipeline)
        return counter.n_bytes

    def load(self, key: str) -> tuple[Any, dict[str, Any]] | None:
        """The kept pipeline and its figures, or None when there is none to read."""
        path = Path(self.directory) / f"{key}.pkl"
        try:
            with open(path, "rb") as file:
                pipeline = pickle.load(file)
            return pipeline, json.loads(path.with_suffix(".json").read_text())
        except Exception:  # whatever stops the read, the job fits the model again
            return None


MAX_BYTES = 2 * 2**30
"""Kept fits on disk at most, in all (a large table's forests); past it, fits are not kept."""


def _folder_bytes(directory: str) -> int:
    return sum(entry.stat().st_size for entry in os.scandir(directory) if entry.is_file())


def _write_atomically(path: Path, data: bytes, directory: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.replace(temporary, path)


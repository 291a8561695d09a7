"""Probes: measurements made on a model right after it is fitted on a fold, in the worker that
fitted it, so that no fitted model ever has to travel. A check asks for one by submitting jobs
with `Job(probe=NAME)` and reads the figures from `JobResult.extras[NAME]`.

Each probe is a function `probe(fitted: FittedFold) -> dict` of plain, JSON-ready figures,
registered by name in `PROBES` (imported lazily: workers load only what they run).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from dlcheck.benchmark.fitting import BenchmarkData

PROBES: dict[str, str] = {
    "explain": "dlcheck.probes.explain:explain",
    "robustness": "dlcheck.probes.robustness:robustness",
}
"""Probe name -> 'module:function'."""


@dataclass(frozen=True)
class FittedFold:
    """A model fitted on a fold's training rows, and the fold's rows (labels as fitted)."""

    pipeline: Pipeline
    X_train: pd.DataFrame
    y_train: np.ndarray
    X_test: pd.DataFrame
    y_test: np.ndarray
    data: BenchmarkData
    fold_id: str

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities with one column per class of the table, or regression values."""
        from dlcheck.benchmark.fitting import predict_output

        return predict_output(self.pipeline, X, self.data)

    def score(self, X: pd.DataFrame, y: np.ndarray) -> dict[str, float]:
        """Every metric of the task on these rows."""
        from dlcheck.benchmark.scoring import score_predictions

        return score_predictions(self.data.task, y, self.predict(X), self.data.n_classes)


def run_probe(name: str, fitted: FittedFold) -> dict[str, Any]:
    module, function = PROBES[name].split(":")
    return getattr(import_module(module), function)(fitted)

"""The work of a benchmark as a list of independent jobs: model x fold x data fraction.

A job names what to fit and where to test it; it holds no model. Any executor can run jobs
in any order, anywhere the data can be reached, and a store can record each finished one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dlcheck.benchmark.splits import Fold
from dlcheck.models.registry import ModelSpec


@dataclass(frozen=True)
class Job:
    model: str
    fold: Fold
    fraction: float = 1.0
    relative_cost: float = 1.0
    permutation: int = 0
    """0: the true labels; k > 0: the labels shuffled with the k-th permutation (a null run)."""

    @property
    def key(self) -> str:
        key = f"{self.model}/{self.fold.id}/{self.fraction:g}"
        return f"{key}/perm{self.permutation}" if self.permutation else key


@dataclass
class JobResult:
    key: str
    model: str
    fold_id: str
    repeat: int
    fraction: float
    permutation: int = 0
    scores: dict[str, float] = field(default_factory=dict)
    fit_seconds: float = float("nan")
    predict_ms_per_1k: float = float("nan")
    size_bytes: int = 0
    n_params: int = 0
    n_train_rows: int = 0
    n_train_available: int = 0
    test_index: np.ndarray | None = None
    predictions: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def plan_jobs(models: list[ModelSpec], folds: list[Fold], fractions: tuple[float, ...] = (1.0,))\
        -> list[Job]:
    """Every model on every fold (and fraction), the costliest first so that the cores
    stay busy to the end."""
    jobs = [Job(m.name, f, fr, m.relative_cost * fr) for fr in fractions for m in models
            for f in folds]
    return sorted(jobs, key=lambda j: -j.relative_cost)

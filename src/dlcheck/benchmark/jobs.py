"""The work of a benchmark as a list of independent jobs: model x fold x data fraction.

A job names what to fit and where to test it; it holds no model. Any executor can run jobs
in any order, anywhere the data can be reached, and a store can record each finished one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlcheck.benchmark.splits import Fold
from dlcheck.models.spec import ModelSpec


@dataclass(frozen=True)
class Job:
    model: str
    fold: Fold
    fraction: float = 1.0
    relative_cost: float = 1.0
    permutation: int = 0
    """0: the true labels; k > 0: the labels shuffled with the k-th permutation (a null run)."""
    params: tuple[tuple[str, Any], ...] = ()
    """Hyperparameters set on the model step over the ladder's defaults (a tuned variant)."""
    name: str = ""
    """The name results are filed under ('' : the ladder model's name)."""
    probe: str = ""
    """A probe (see dlcheck.probes) run on the fitted model; its figures go to `extras`."""
    tune_trials: int = 0
    """> 0: tune the model on the fold's training rows with this many trials (the defaults
    first), then fit and score the best configuration (see dlcheck.benchmark.tuning)."""

    @property
    def label(self) -> str:
        return self.name or self.model

    @property
    def key(self) -> str:
        key = f"{self.label}/{self.fold.id}/{self.fraction:g}"
        if self.permutation:
            key += f"/perm{self.permutation}"
        if self.probe:
            key += f"/{self.probe}"
        if self.tune_trials:
            key += f"/tune{self.tune_trials}"
        if self.params:  # two settings of one model under one name stay two jobs
            digest = hashlib.sha256(repr(self.params).encode()).hexdigest()[:12]
            key += f"/p{digest}"
        return key


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
    work: float = 0.0
    """Reference CPU seconds of the fit, estimated from what it did (rows, features, trees,
    epochs; ModelSpec.work_seconds), never read off a clock: choices of what to refit use it."""
    epochs: int = 0
    """Epochs a network trained (0 for other models)."""
    stopped_by: str = ""
    """What ended a network's training: early_stopping, max_epochs or time_limit."""
    notes: list[str] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    """Figures of a probe or of tuning, by kind."""
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

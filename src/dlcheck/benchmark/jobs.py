"""The work of a benchmark as a list of independent jobs: model x fold x data fraction.

A job names what to fit and where to test it; it holds no model. Any executor can run jobs
in any order, anywhere the data can be reached, and a store can record each finished one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import numpy as np

from dlcheck.benchmark.splits import Fold
from dlcheck.models.spec import ModelSpec


@dataclass(frozen=True)
class Hook:
    """A function the runner calls by its import path, in the worker, at one point of a job:
    the engine runs a check's or a stage's code without importing it."""

    name: str
    """Its figures go to `JobResult.extras[name]`."""
    function: str
    """'package.module:function'."""
    options: tuple[tuple[str, Any], ...] = ()
    """Keyword arguments it is called with (part of the job's key)."""

    def __call__(self, *args: Any) -> Any:
        module, function = self.function.split(":")
        return getattr(import_module(module), function)(*args, **dict(self.options))

    @property
    def key(self) -> str:
        return self.name + "".join(f"{value}" for _, value in self.options)


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
    choose_params: Hook | None = None
    """Called before the fit as hook(spec, train_rows, y_train, data, fold_id) -> (params or
    None, figures): the parameters to fit with (a search inside the fold, as tuning does), or
    None to fit nothing, the benchmark having fitted those parameters already."""
    after_fit: Hook | None = None
    """Called on the fitted model as hook(fitted: FittedFold) -> figures (a probe)."""
    keep_fit: bool = False
    """Keep the fitted model for the run's later jobs on the same rows (the checks' probes;
    dlcheck.benchmark.fit_cache); it changes nothing the job computes, so not its key."""

    @property
    def label(self) -> str:
        return self.name or self.model

    @property
    def key(self) -> str:
        key = f"{self.label}/{self.fold.id}/{self.fraction:g}"
        if self.permutation:
            key += f"/perm{self.permutation}"
        if self.after_fit:
            key += f"/{self.after_fit.key}"
        if self.choose_params:
            key += f"/{self.choose_params.key}"
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
    epochs, steps; ModelSpec.work_seconds), never read off a clock: choices of what to refit
    use it."""
    step_work: float = 0.0
    """The part of `work` that its steps' fixed cost makes (ModelSpec.work_parts)."""
    epochs: int = 0
    """Epochs a network trained (0 for other models)."""
    stopped_by: str = ""
    """What ended a network's training: early_stopping, max_epochs or time_limit."""
    notes: list[str] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    """Figures of the job's hooks, by hook name."""
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

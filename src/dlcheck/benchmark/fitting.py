"""What a worker needs to fit and score any model on some rows of the data: the data as it
travels to workers, the fit parameters a model's inner split needs, and predictions in the
dataset's class layout, and a fitted fold as the hooks of a job see it. Shared by the runner,
tuning and the probes, which import nothing above it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from dlcheck._config import Budget
from dlcheck.models.spec import ModelContext, ModelSpec

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from dlcheck.benchmark.fit_cache import FitCache
    from dlcheck.data.dataset import Dataset, ModelInputs


@dataclass(frozen=True)
class BenchmarkData:
    """What a worker needs to build and score models on any rows of a dataset: its inputs
    (`ModelInputs`, opaque to the engine), the target, how rows may be split, the budget."""

    inputs: ModelInputs
    y: np.ndarray
    task: str
    n_classes: int
    budget: Budget
    seed: int
    n_threads: int = 1
    imbalance_ratio: float = 1.0
    device: str = "auto"
    groups: np.ndarray | None = None
    """Group of each row (--group-col), for splits made inside a job (tuning)."""
    times: np.ndarray | None = None
    """Time of each row (--time-col), for splits made inside a job (tuning)."""
    fit_cache: FitCache | None = None
    """Where the run keeps the full fits of its first folds for the checks' probes."""

    @classmethod
    def of(cls, dataset: Dataset, budget: Budget, seed: int, *, n_threads: int = 1,
           device: str = "auto", fit_cache: FitCache | None = None) -> BenchmarkData:
        """The one way from a prepared dataset to what travels to workers."""
        return cls(inputs=dataset.model_inputs(), y=dataset.y, task=dataset.task,
                   n_classes=max(len(dataset.classes), 1), budget=budget, seed=seed,
                   n_threads=n_threads, imbalance_ratio=imbalance_ratio(dataset),
                   device=device, groups=dataset.groups, times=dataset.times,
                   fit_cache=fit_cache)

    @property
    def kind(self) -> str:
        return self.inputs.kind

    def rows(self, positions: np.ndarray):
        """These rows as the models take them."""
        return self.inputs.take(positions)

    def context(self) -> ModelContext:
        return ModelContext(
            task=self.task, features=self.inputs.features, budget=self.budget,
            random_state=self.seed, n_threads=self.n_threads,
            imbalance_ratio=self.imbalance_ratio, device=self.device,
        )


def imbalance_ratio(dataset: Dataset) -> float:
    """Rows of the largest class per row of the smallest (1 for a regression)."""
    if not dataset.classes:
        return 1.0
    counts = np.bincount(dataset.y)
    return float(counts.max() / max(counts.min(), 1))


def fit_params(spec: ModelSpec, estimator, data: BenchmarkData, rows: np.ndarray) -> dict:
    """What a model's fit needs beyond the rows: what its ladder entry passes (`fit_kwargs`),
    and for a model with its own inner split (a network's early stopping) the times or the
    groups of its training rows, so that it splits as the folds do."""
    import inspect

    params = {f"model__{k}": v for k, v in (spec.fit_kwargs() if spec.fit_kwargs else {}).items()}
    accepted = inspect.signature(estimator.fit).parameters
    if data.times is not None and "split_order" in accepted:
        params["model__split_order"] = np.asarray(data.times)[rows]
    elif data.groups is not None and "split_groups" in accepted:
        params["model__split_groups"] = np.asarray(data.groups)[rows]
    return params


def predict_output(pipeline, X, data: BenchmarkData) -> np.ndarray:
    """Class probabilities (one column per class of the whole table) or regression values."""
    if data.task == "regression":
        return np.asarray(pipeline.predict(X), dtype=float)
    proba = pipeline.predict_proba(X)
    # A training fold may lack a rare class: put each column where its class belongs.
    full = np.zeros((len(X), data.n_classes))
    full[:, pipeline.classes_.astype(int)] = proba
    return full


@dataclass(frozen=True)
class FittedFold:
    """A model fitted on a fold's training rows, and the fold's rows (labels as fitted): what
    a job's `after_fit` hook measures, in the worker that runs the job."""

    pipeline: Pipeline
    X_train: Any
    y_train: np.ndarray
    X_test: Any
    y_test: np.ndarray
    data: BenchmarkData
    fold_id: str

    def predict(self, X) -> np.ndarray:
        """Probabilities with one column per class of the data, or regression values."""
        return predict_output(self.pipeline, X, self.data)

    def score(self, X, y: np.ndarray) -> dict[str, float]:
        """Every metric of the task on these rows."""
        from dlcheck.benchmark.scoring import score_predictions

        return score_predictions(self.data.task, y, self.predict(X), self.data.n_classes)

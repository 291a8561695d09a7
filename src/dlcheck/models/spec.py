"""What a rung of any ladder is: a named model of a family, built as a scikit-learn Pipeline
(preprocessing fitted inside the fold, then the model), and what it needs to know to be built.
Nothing here knows a kind of data: each ladder (models/tabular/, ...) fills these in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sklearn.pipeline import Pipeline

from dlcheck._config import Budget

Family = Literal["baseline", "linear", "tree", "ensemble", "deep"]
FAMILY_ORDER: dict[str, int] = {
    "baseline": 0, "linear": 1, "tree": 2, "ensemble": 3, "deep": 4,
}
"""Simplicity follows the ladder: a lower rank is simpler to run, read and maintain."""

IMBALANCE_RATIO_FOR_CLASS_WEIGHTS = 3.0
REFERENCE_WIDTH = 128
"""Width of the networks the deep work rates are measured at (the quick budget's)."""


@dataclass(frozen=True)
class ModelContext:
    """What a model needs to know about the data and the budget to be built."""

    task: str
    features: Any
    """What the dataset's kind says about its inputs (for a table: its numeric and categorical
    columns, `dlcheck.data.tabular.TableFeatures`); only that kind's ladder reads it."""
    budget: Budget
    random_state: int = 0
    n_threads: int = 1
    imbalance_ratio: float = 1.0
    device: str = "auto"

    @property
    def classification(self) -> bool:
        return self.task != "regression"

    @property
    def class_weight(self) -> str | None:
        balanced = self.classification and \
            self.imbalance_ratio >= IMBALANCE_RATIO_FOR_CLASS_WEIGHTS
        return "balanced" if balanced else None


@dataclass(frozen=True)
class ModelSpec:
    name: str
    family: Family
    description: str
    build_estimator: Callable[[ModelContext], object]
    build_preprocessor: Callable[[ModelContext], object]
    """The preprocessing step, fitted inside each fold with the model."""
    preprocessing: str
    """The name of that preprocessing (for tables: linear, tree or deep)."""
    slow: bool = False
    """Slow models see at most `budget.max_rows_slow` training rows."""
    relative_cost: float = 1.0
    """Rough cost, so the executor can start the longest jobs first."""
    work_rate: float = 0.1
    """Reference CPU seconds of one unit of work on 10,000 rows x 20 features: one fit
    (linear, tree), 100 trees (ensembles), one epoch of a width-128 network (measured on one
    core of the reference machine, benchmarks/calibrate_work.py). Choices of what to refit
    count work with it instead of reading a clock."""
    reference_width: int | None = REFERENCE_WIDTH
    """The width (hidden units, or channels of an image network's first stage) at which
    `work_rate` was measured (None: a fixed architecture, never scaled)."""
    width_exponent: float = 2.0
    """An epoch costs (width / reference_width) ** width_exponent times the measured one: the
    square for a table's dense layers; less for the small image networks, whose cost is not
    all in their channels (see the image ladder)."""
    search_space: Callable[[Any, ModelContext], dict[str, Any]] | None = None
    """The model step's parameters for one Optuna trial (None: not tuned)."""
    fit_kwargs: Callable[[], dict[str, Any]] | None = None
    """Keyword arguments of the model step's fit beyond the rows (LightGBM's callbacks)."""
    unavailable: Callable[[Any], str | None] | None = None
    """Given `ModelContext.features`, why this rung cannot be tried on this data (a pretrained
    network without weights), or None when it can."""

    def work_seconds(self, n_rows: int, n_features: int, estimator) -> float:
        """Reference CPU seconds of a fit of `estimator` (fitted) on `n_rows` x `n_features`:
        the same figure on every machine and under any load."""
        units = 1.0
        log = getattr(estimator, "training_log_", None)
        if log is not None:  # a network: epochs, wider and multi-head ones cost more
            width = getattr(estimator, "width", None) or getattr(estimator, "channels", None)
            reference = self.reference_width
            wider = (width / reference) ** self.width_exponent if width and reference \
                else 1.0
            heads = getattr(estimator, "k", 1)  # ensemble heads (TabM's k; 1 for an MLP)
            units = max(log.epochs, 1) * wider * heads
        elif hasattr(estimator, "n_estimators"):
            units = estimator.n_estimators / 100
        return self.work_rate * units * (n_rows / 10_000) * (max(n_features, 1) / 20)

    def build(self, context: ModelContext, params: dict | None = None) -> Pipeline:
        """The pipeline; `params` override the model step's ladder defaults."""
        model = self.build_estimator(context)
        if params:
            model.set_params(**params)
        return Pipeline([("prep", self.build_preprocessor(context)), ("model", model)])

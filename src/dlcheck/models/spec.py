"""What a rung of any ladder is: a named model of a family, built as a scikit-learn Pipeline
(preprocessing fitted inside the fold, then the model), and what it needs to know to be built.
Nothing here knows a kind of data: each ladder (models/tabular/, ...) fills these in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sklearn.pipeline import Pipeline

from dlcheck._config import Budget

Family = Literal["baseline", "linear", "tree", "ensemble", "deep"]
FAMILY_ORDER: dict[str, int] = {
    "baseline": 0, "linear": 1, "tree": 2, "ensemble": 3, "deep": 4,
}
"""Simplicity follows the ladder: a lower rank is simpler to run, read and maintain."""

IMBALANCE_RATIO_FOR_CLASS_WEIGHTS = 3.0
WORK_MODEL = 2
"""The version of how work is counted (`ModelSpec.work_parts`), part of a run's fingerprint:
a run resumed across a change of it starts afresh instead of mixing two counts in its
checks' designs. 2: steps counted (optimizer steps, trees, fits)."""
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
    """Reference CPU seconds of one unit of work on 10,000 rows x 20 features, apart from
    the fixed cost of its steps (`step_work`): one fit (linear, tree), 100 trees
    (ensembles), one epoch of a width-128 network (measured on one core of the reference
    machine, benchmarks/calibrate_work.py). Choices of what to refit count work with it
    instead of reading a clock."""
    reference_width: int | None = REFERENCE_WIDTH
    """The width (hidden units, or channels of an image network's first stage) at which
    `work_rate` was measured (None: a fixed architecture, never scaled)."""
    width_exponent: float = 2.0
    """An epoch costs (width / reference_width) ** width_exponent times the measured one: the
    square for a table's dense layers; less for the small image networks, whose cost is not
    all in their channels (see the image ladder)."""
    fixed_share: float = 0.0
    """Share of a unit's cost at 20 features that does not grow with the features: a table
    network's hidden layers cost the same behind 5 inputs as behind 60, so its unit costs
    `fixed_share + (1 - fixed_share) * features / 20` of the measured one (0: in proportion
    to the features)."""
    step_work: float = 0.0
    """Reference CPU seconds of one step's fixed cost, whatever its rows: a network's
    optimizer step (a batch's forward, backward and update, dispatched operation by
    operation), an ensemble's tree, another model's fit (its preprocessing's included). On
    a few hundred rows it is most of a fit's cost, which a rate per row does not see."""
    steps_per_epoch: Callable[[Any], Any] | None = None
    """For a network whose batches grow with its rows (the table networks), the optimizer
    steps of an epoch on n rows given to its fit (n an int or an array of them); None where
    the steps do not depend on the rows (an ensemble's trees, a fit) or where `step_work` is
    0."""
    search_space: Callable[[Any, ModelContext], dict[str, Any]] | None = None
    """The model step's parameters for one Optuna trial (None: not tuned)."""
    fit_kwargs: Callable[[], dict[str, Any]] | None = None
    """Keyword arguments of the model step's fit beyond the rows (LightGBM's callbacks)."""
    unavailable: Callable[[Any], str | None] | None = None
    """Given `ModelContext.features`, why this rung cannot be tried on this data (a pretrained
    network without weights), or None when it can."""

    def work_seconds(self, n_rows: int, n_features: int, estimator) -> float:
        """Reference CPU seconds of a fit of `estimator` (fitted) on `n_rows` x `n_features`:
        the same figure on every machine and under any load (`work_parts`, summed)."""
        return sum(self.work_parts(n_rows, n_features, estimator))

    def work_parts(self, n_rows: int, n_features: int, estimator) -> tuple[float, float]:
        """The two parts of a fit's counted work: its rows' (`work_rate` a unit: epochs,
        100 trees or a fit, in proportion to the rows and, beyond `fixed_share`, to the
        features) and its steps' (`step_work` each: a network's optimizer steps, an
        ensemble's trees, or the one fit)."""
        units, steps = 1.0, 1
        log = getattr(estimator, "training_log_", None)
        if log is not None:  # a network: epochs, wider and multi-head ones cost more
            width = getattr(estimator, "width", None) or getattr(estimator, "channels", None)
            reference = self.reference_width
            wider = (width / reference) ** self.width_exponent if width and reference \
                else 1.0
            heads = getattr(estimator, "k", 1)  # ensemble heads (TabM's k; 1 for an MLP)
            units = max(log.epochs, 1) * wider * heads
            steps = getattr(log, "steps", 0)
        elif hasattr(estimator, "n_estimators"):
            units = estimator.n_estimators / 100
            steps = estimator.n_estimators
        features = self.fixed_share + (1 - self.fixed_share) * max(n_features, 1) / 20
        return (self.work_rate * units * (n_rows / 10_000) * features,
                self.step_work * steps)

    def work_at_rows(self, rows_part: float, steps_part: float, rows_seen: int, rows):
        """Counted work of the same fit on `rows` (an int or an array of them) instead of
        `rows_seen` rows, for the same epochs: the rows' part in proportion, the steps'
        part as the steps of an epoch change (`steps_per_epoch`; unchanged for trees and
        fits)."""
        rows_seen = max(rows_seen, 1)
        scaled = rows_part * np.asarray(rows, dtype=float) / rows_seen
        if self.steps_per_epoch is None:
            out = scaled + steps_part
        else:
            out = scaled + steps_part * self.steps_per_epoch(rows) / \
                max(self.steps_per_epoch(rows_seen), 1)
        return float(out) if np.ndim(out) == 0 else out

    def build(self, context: ModelContext, params: dict | None = None) -> Pipeline:
        """The pipeline; `params` override the model step's ladder defaults."""
        model = self.build_estimator(context)
        if params:
            model.set_params(**params)
        return Pipeline([("prep", self.build_preprocessor(context)), ("model", model)])

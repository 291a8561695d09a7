"""The ladder of candidate models, from a dummy baseline to deep networks.

Every entry builds a scikit-learn Pipeline whose preprocessing is fitted inside the fold.
A new model is one more `ModelSpec` in `LADDER`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from dlcheck._config import Budget
from dlcheck.models.preprocessing import make_preprocessor

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
    numeric: list[str]
    categorical: list[str]
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
    preprocessing: Literal["linear", "tree", "deep"]
    slow: bool = False
    """Slow models see at most `budget.max_rows_slow` training rows."""
    relative_cost: float = 1.0
    """Rough cost, so the executor can start the longest jobs first."""
    work_rate: float = 0.1
    """Reference CPU seconds of one unit of work on 10,000 rows x 20 features: one fit
    (linear, tree), 100 trees (ensembles), one epoch of a width-128 network (measured on one
    core of the reference machine, benchmarks/calibrate_work.py). Choices of what to refit
    count work with it instead of reading a clock."""

    def work_seconds(self, n_rows: int, n_features: int, estimator) -> float:
        """Reference CPU seconds of a fit of `estimator` (fitted) on `n_rows` x `n_features`:
        the same figure on every machine and under any load."""
        units = 1.0
        log = getattr(estimator, "training_log_", None)
        if log is not None:  # a network: epochs, wider and multi-head ones cost more
            width = getattr(estimator, "width", REFERENCE_WIDTH)
            heads = getattr(estimator, "k", 1) if estimator.architecture == "tabm" else 1
            units = max(log.epochs, 1) * (width / REFERENCE_WIDTH) ** 2 * heads
        elif hasattr(estimator, "n_estimators"):
            units = estimator.n_estimators / 100
        return self.work_rate * units * (n_rows / 10_000) * (max(n_features, 1) / 20)

    def build(self, context: ModelContext, params: dict | None = None) -> Pipeline:
        """The pipeline; `params` override the model step's ladder defaults."""
        model = self.build_estimator(context)
        if params:
            model.set_params(**params)
        return Pipeline([
            ("prep", make_preprocessor(self.preprocessing, context.numeric, context.categorical)),
            ("model", model),
        ])


def _dummy(c: ModelContext):
    return DummyClassifier(strategy="prior") if c.classification else DummyRegressor()


def _linear(c: ModelContext):
    if c.classification:
        return LogisticRegression(max_iter=2000, class_weight=c.class_weight)
    return Ridge(alpha=1.0)


def _shallow_tree(c: ModelContext):
    kwargs = dict(max_depth=4, min_samples_leaf=5, random_state=c.random_state)
    if c.classification:
        return DecisionTreeClassifier(class_weight=c.class_weight, **kwargs)
    return DecisionTreeRegressor(**kwargs)


def _random_forest(c: ModelContext):
    kwargs = dict(n_estimators=c.budget.forest_trees, n_jobs=c.n_threads,
                  random_state=c.random_state, min_samples_leaf=1)
    if c.classification:
        return RandomForestClassifier(class_weight=c.class_weight, **kwargs)
    return RandomForestRegressor(max_features=1.0, **kwargs)


def _lightgbm(c: ModelContext):
    import lightgbm

    kwargs = dict(n_jobs=c.n_threads, random_state=c.random_state, verbose=-1)
    if c.classification:
        return lightgbm.LGBMClassifier(class_weight=c.class_weight, **kwargs)
    return lightgbm.LGBMRegressor(**kwargs)


def _deep(architecture: str, lr: float, weight_decay: float):
    def build(c: ModelContext):
        from dlcheck.models.deep import DeepTabularClassifier, DeepTabularRegressor

        cls = DeepTabularClassifier if c.classification else DeepTabularRegressor
        extra = {"class_weight": c.class_weight} if c.classification else {}
        return cls(
            architecture=architecture, n_cat_features=len(c.categorical),
            width=c.budget.deep_width, n_blocks=3 if architecture == "mlp" else 2,
            k=c.budget.tabm_k if architecture == "tabm" else 1,
            lr=lr, weight_decay=weight_decay, max_epochs=c.budget.max_epochs,
            max_row_passes=c.budget.deep_row_passes,
            patience=c.budget.patience, max_seconds=c.budget.deep_seconds_per_fit,
            n_threads=c.n_threads, device=c.device, random_state=c.random_state, **extra,
        )

    return build


_EMBEDDINGS = ("16 values per numeric input; past 128 inputs narrower, so that inputs x width "
               "<= 2,048; past 512 inputs none: the quantile-normalised values themselves")
"""The bound of `dlcheck.models.deep.architectures.num_embedding_size`, in the description the
report shows (importing the networks here would load torch with the ladder)."""

LADDER: tuple[ModelSpec, ...] = (
    ModelSpec("dummy", "baseline", "predicts the class prior / the mean", _dummy, "linear",
              relative_cost=0.1, work_rate=0.002),
    ModelSpec("linear", "linear", "logistic / ridge regression on scaled, one-hot features",
              _linear, "linear", relative_cost=0.5, work_rate=0.2),
    ModelSpec("shallow_tree", "tree", "decision tree of depth <= 4: readable by a person",
              _shallow_tree, "tree", relative_cost=0.3, work_rate=0.05),
    ModelSpec("random_forest", "ensemble", "random forest (scikit-learn)", _random_forest,
              "tree", slow=True, relative_cost=5, work_rate=3.0),
    ModelSpec("lightgbm", "ensemble", "gradient-boosted trees (LightGBM defaults)", _lightgbm,
              "tree", relative_cost=3, work_rate=0.4),
    ModelSpec("mlp", "deep", "MLP for tables: periodic numeric embeddings (" + _EMBEDDINGS
              + "), category embeddings, LayerNorm, dropout, AdamW, early stopping",
              _deep("mlp", lr=1e-3, weight_decay=1e-4), "deep", slow=True, relative_cost=40,
              work_rate=0.4),
    ModelSpec("tabm", "deep", "TabM: an efficient ensemble of MLPs (Gorishniy et al., 2025), "
              "from the authors' `tabm` package, periodic numeric embeddings (" + _EMBEDDINGS
              + ")", _deep("tabm", lr=2e-3, weight_decay=3e-4),
              "deep", slow=True, relative_cost=50, work_rate=0.2),
)


def get_model(name: str) -> ModelSpec:
    for spec in LADDER:
        if spec.name == name:
            return spec
    raise KeyError(name)

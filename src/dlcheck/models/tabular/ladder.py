"""The ladder for tables, from a dummy baseline to deep networks.

Every entry builds a scikit-learn Pipeline whose preprocessing (models/tabular/preprocessing.py)
is fitted inside the fold; its search space is in models/tabular/search_spaces.py and its
networks in models/tabular/deep/. A new tabular model is one more `ModelSpec` in
`TABULAR_LADDER`. What the ladder reads of the data is `context.features`: a table's numeric
and categorical columns.
"""

from __future__ import annotations

from functools import partial

from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from dlcheck.deadlines import lightgbm_deadline
from dlcheck.models.batches import table_steps_per_epoch
from dlcheck.models.spec import ModelContext, ModelSpec
from dlcheck.models.tabular import search_spaces
from dlcheck.models.tabular.preprocessing import Style, make_preprocessor


def _preprocessor(style: Style, c: ModelContext):
    return make_preprocessor(style, c.features.numeric, c.features.categorical)


def _rung(name: str, family: str, description: str, build_estimator, style: Style,
          **kwargs) -> ModelSpec:
    return ModelSpec(name, family, description, build_estimator,
                     build_preprocessor=partial(_preprocessor, style), preprocessing=style,
                     search_space=search_spaces.SEARCH_SPACES.get(name), **kwargs)


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


def _lightgbm_fit_kwargs() -> dict:
    return {"callbacks": [lightgbm_deadline]}  # the job's time limit, checked every round


def _lightgbm(c: ModelContext):
    import lightgbm

    kwargs = dict(n_jobs=c.n_threads, random_state=c.random_state, verbose=-1)
    if c.classification:
        return lightgbm.LGBMClassifier(class_weight=c.class_weight, **kwargs)
    return lightgbm.LGBMRegressor(**kwargs)


def _deep(architecture: str, lr: float, weight_decay: float):
    def build(c: ModelContext):
        from dlcheck.models.tabular.deep import DeepTabularClassifier, DeepTabularRegressor

        cls = DeepTabularClassifier if c.classification else DeepTabularRegressor
        extra = {"class_weight": c.class_weight} if c.classification else {}
        return cls(
            architecture=architecture, n_cat_features=len(c.features.categorical),
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
"""The bound of `dlcheck.models.tabular.deep.architectures.num_embedding_size`, in the
description the report shows (importing the networks here would load torch with the ladder)."""

TABULAR_LADDER: tuple[ModelSpec, ...] = (
    _rung("dummy", "baseline", "predicts the class prior / the mean", _dummy, "linear",
          relative_cost=0.1, work_rate=0.002, step_work=0.015),
    _rung("linear", "linear", "logistic / ridge regression on scaled, one-hot features",
          _linear, "linear", relative_cost=0.5, work_rate=0.2, step_work=0.015),
    _rung("shallow_tree", "tree", "decision tree of depth <= 4: readable by a person",
          _shallow_tree, "tree", relative_cost=0.3, work_rate=0.05, step_work=0.008),
    _rung("random_forest", "ensemble", "random forest (scikit-learn)", _random_forest,
          "tree", slow=True, relative_cost=5, work_rate=3.0, step_work=0.0018),
    _rung("lightgbm", "ensemble", "gradient-boosted trees (LightGBM defaults)", _lightgbm,
          "tree", relative_cost=3, work_rate=0.4, step_work=0.00045,
          fit_kwargs=_lightgbm_fit_kwargs),
    _rung("mlp", "deep", "MLP for tables: periodic numeric embeddings (" + _EMBEDDINGS
          + "), category embeddings, LayerNorm, dropout, AdamW, early stopping",
          _deep("mlp", lr=1e-3, weight_decay=1e-4), "deep", slow=True, relative_cost=40,
          work_rate=0.28, fixed_share=0.2, step_work=0.003,
          steps_per_epoch=table_steps_per_epoch),
    _rung("tabm", "deep", "TabM: an efficient ensemble of MLPs (Gorishniy et al., 2025), "
          "from the authors' `tabm` package, periodic numeric embeddings (" + _EMBEDDINGS
          + ")", _deep("tabm", lr=2e-3, weight_decay=3e-4),
          "deep", slow=True, relative_cost=50, work_rate=0.11, fixed_share=0.5,
          step_work=0.003, steps_per_epoch=table_steps_per_epoch),
)


"""Hyperparameter search spaces for tuning, one per ladder model, in the ranges the literature
tunes them over (Grinsztajn et al. 2022; Gorishniy et al. 2021, 2025). Each returns the model
step's parameters for one Optuna trial; the ladder's defaults stay the reference (trial 0)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the ladder names its search spaces without loading Optuna
    import optuna

    from dlcheck.models.spec import ModelContext

SearchSpace = Callable[..., dict[str, Any]]
"""(trial: optuna.Trial, context: ModelContext) -> the model step's parameters."""


def _linear(trial: optuna.Trial, c: ModelContext) -> dict[str, Any]:
    if c.classification:
        return {"C": trial.suggest_float("C", 1e-4, 1e2, log=True)}
    return {"alpha": trial.suggest_float("alpha", 1e-3, 1e3, log=True)}


def _shallow_tree(trial: optuna.Trial, c: ModelContext) -> dict[str, Any]:
    # Depth stays <= 4: a tuned shallow tree must remain readable.
    return {"max_depth": trial.suggest_int("max_depth", 1, 4),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 64, log=True)}


def _random_forest(trial: optuna.Trial, c: ModelContext) -> dict[str, Any]:
    return {"max_features": trial.suggest_float("max_features", 0.1, 1.0),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 32, log=True),
            "max_depth": trial.suggest_categorical("max_depth", [None, 8, 16, 32])}


def _lightgbm(trial: optuna.Trial, c: ModelContext) -> dict[str, Any]:
    return {
        "n_estimators": trial.suggest_int("n_estimators", 50, 1000, log=True),
        "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 4, 128, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 2, 100, log=True),
        "subsample": trial.suggest_float("subsample", 0.5, 1.0),
        "subsample_freq": 1,
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.4, 1.0),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-8, 10.0, log=True),
    }


def _deep(trial: optuna.Trial, c: ModelContext) -> dict[str, Any]:
    width = c.budget.deep_width
    return {
        "lr": trial.suggest_float("lr", 3e-4, 1e-2, log=True),
        "weight_decay": trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True),
        "dropout": trial.suggest_float("dropout", 0.0, 0.4),
        "n_blocks": trial.suggest_int("n_blocks", 1, 4),
        "width": trial.suggest_categorical("width", [width // 2, width, width * 2]),
        "frequency_scale": trial.suggest_float("frequency_scale", 0.01, 1.0, log=True),
    }


SEARCH_SPACES: dict[str, SearchSpace] = {
    "linear": _linear,
    "shallow_tree": _shallow_tree,
    "random_forest": _random_forest,
    "lightgbm": _lightgbm,
    "mlp": _deep,
    "tabm": _deep,
}

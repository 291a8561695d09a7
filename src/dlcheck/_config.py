"""Budgets and defaults in one place."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Budget:
    """How much work one assessment may do.

    Every figure here bounds a cost that grows with the data: folds and repeats multiply
    every model's fits; `max_rows_slow` caps the training rows given to the slow models
    (forest and deep) so that large tables stay tractable, and the report says when a model
    saw a subsample.

    Deep training is bounded by work, not by the clock, so that a seed gives the same model on
    any machine: at most `max_epochs` epochs and at most `deep_row_passes` training rows
    processed (epochs x rows). `deep_seconds_per_fit` is only a safety net against a machine far
    slower than expected; a fit it stops is reported as cut short.

    `job_seconds` is the last bound: no single job (one model fitted, scored and probed on one
    fold, tuning included) may run longer. A job past it is stopped in its worker and reported
    as a failed model, so that one runaway fit (a model that does not scale to the table) cannot
    hang the run. It is five to six times the deep safety net per fit (`deep_seconds_per_fit`)
    and far above the tuning time, so that a job the other bounds already hold (a deep fit, a
    tuning search, a probe) never reaches it: 300 s (quick), 1,800 s (standard), 7,200 s
    (thorough).
    """

    name: str
    n_folds: int
    n_repeats: int
    max_epochs: int
    deep_row_passes: int
    deep_seconds_per_fit: float
    patience: int
    max_rows_slow: int
    forest_trees: int
    tabm_k: int
    deep_width: int
    n_permutations: int
    """Label permutations of the permutation test (p-value resolution 1 / (n + 1))."""
    permutation_cpu_seconds: float
    """CPU time the permutation test may spend; it tests the best model that fits in it."""
    tuning_seconds: float
    """Wall-clock seconds of hyperparameter search per outer fold, the same for the best
    classical and the best deep model."""
    tuning_max_trials: int
    """Trials per fold at most. The search stops at whichever bound comes first; when the
    trial count binds (cheap models), the tuned figures repeat exactly with the same seed."""
    job_seconds: float = 300.0
    """Wall-clock seconds one job may run before it is stopped and reported as failed."""

    def to_dict(self) -> dict:
        return asdict(self)


BUDGETS: dict[str, Budget] = {
    "quick": Budget(
        name="quick", n_folds=5, n_repeats=1, max_epochs=60, deep_row_passes=200_000,
        deep_seconds_per_fit=60.0, patience=8, max_rows_slow=20_000, forest_trees=100,
        tabm_k=8, deep_width=128, n_permutations=20, permutation_cpu_seconds=60.0,
        tuning_seconds=6.0, tuning_max_trials=50, job_seconds=300.0,
    ),
    "standard": Budget(
        name="standard", n_folds=5, n_repeats=2, max_epochs=150, deep_row_passes=1_000_000,
        deep_seconds_per_fit=300.0, patience=16, max_rows_slow=50_000, forest_trees=300,
        tabm_k=16, deep_width=256, n_permutations=50, permutation_cpu_seconds=600.0,
        tuning_seconds=60.0, tuning_max_trials=200, job_seconds=1800.0,
    ),
    "thorough": Budget(
        name="thorough", n_folds=5, n_repeats=4, max_epochs=400, deep_row_passes=5_000_000,
        deep_seconds_per_fit=1200.0, patience=24, max_rows_slow=200_000, forest_trees=500,
        tabm_k=32, deep_width=512, n_permutations=100, permutation_cpu_seconds=3600.0,
        tuning_seconds=300.0, tuning_max_trials=500, job_seconds=7200.0,
    ),
}

MIN_ROWS = 20
"""Fewer rows than this cannot support cross-validated comparison at all."""

DEFAULT_MIN_GAIN_BOUNDED = 0.01
"""Minimum worthwhile gain of a deep model on bounded scores (ROC-AUC, accuracy)."""

DEFAULT_MIN_GAIN_RELATIVE_LOSS = 0.02
"""Minimum worthwhile gain on losses (RMSE, log loss): a 2% relative reduction."""

ALPHA = 0.05
"""Significance level of every test and 1 - coverage of every interval."""


def get_budget(name: str | Budget) -> Budget:
    """A preset by name; a Budget passes through (the Python API and tests may set their own)."""
    if isinstance(name, Budget):
        return name
    try:
        return BUDGETS[name]
    except KeyError:
        from dlcheck.errors import DataError

        raise DataError(
            f"unknown budget {name!r}: choose one of {', '.join(BUDGETS)}"
        ) from None

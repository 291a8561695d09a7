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
    any machine: networks train until early stopping (`patience` epochs without improvement
    of the validation loss), with caps (`max_epochs`, `deep_row_passes` = epochs x rows) far
    above the usual stopping epoch; a cap that binds is reported (`deep_training_capped`)
    and lowers the verdict's confidence. `deep_seconds_per_fit` is only a safety net against a
    machine far slower than expected; a fit it stops is reported as cut short.

    Every choice of how much to refit (which design the permutation test can afford, which
    models the imbalance and time checks refit) counts work, never the clock: `*_work`
    budgets are reference CPU seconds estimated from rows, trees, epochs and steps at the
    rates of each ladder's `ModelSpec.work_rate` and `step_work`, the same on every machine.

    `job_seconds` is the last bound: no single job (one model fitted, scored and probed on one
    fold, tuning included) may run longer. A job past it is stopped in its worker and reported
    as a failed model, so that one runaway fit (a model that does not scale to the table) cannot
    hang the run. It is far above what the other bounds let a job do: 300 s (quick),
    1,800 s (standard), 7,200 s (thorough).
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
    """Most label permutations of the permutation test, a sequential Monte Carlo test
    (Besag & Clifford 1991) that stops once the p-value cannot fall below ALPHA: the smallest
    attainable p is 1 / (n + 1)."""
    permutation_work: float
    """Reference CPU seconds (counted work) the permutation test may spend at its most
    permutations; past it, it refits the same model on one fold, then on a row subsample."""
    tuning_trials: int
    """Trials per outer fold for every tuned model, the defaults counting as the first: the
    classical and the deep side get the same number."""
    tuning_rows: int
    """Training rows of each trial at most (a subsample of the inner split, the same for both
    sides); the best configuration is then refitted on the whole training fold."""
    tuning_max_epochs: int
    """Epochs of a network's trial at most (with the same early stopping): a trial compares
    configurations, the refit of the winner trains until early stopping."""
    job_seconds: float = 300.0
    """Wall-clock seconds one job may run before it is stopped and reported as failed."""

    def to_dict(self) -> dict:
        return asdict(self)


BUDGETS: dict[str, Budget] = {
    "quick": Budget(
        name="quick", n_folds=5, n_repeats=1, max_epochs=300, deep_row_passes=20_000_000,
        deep_seconds_per_fit=120.0, patience=8, max_rows_slow=20_000, forest_trees=100,
        tabm_k=8, deep_width=128, n_permutations=99, permutation_work=60.0,
        tuning_trials=6, tuning_rows=1_000, tuning_max_epochs=20, job_seconds=600.0,
    ),
    "standard": Budget(
        name="standard", n_folds=5, n_repeats=2, max_epochs=600, deep_row_passes=100_000_000,
        deep_seconds_per_fit=600.0, patience=16, max_rows_slow=50_000, forest_trees=300,
        tabm_k=16, deep_width=256, n_permutations=199, permutation_work=600.0,
        tuning_trials=20, tuning_rows=8_000, tuning_max_epochs=100, job_seconds=3600.0,
    ),
    "thorough": Budget(
        name="thorough", n_folds=5, n_repeats=4, max_epochs=1000, deep_row_passes=500_000_000,
        deep_seconds_per_fit=2400.0, patience=24, max_rows_slow=200_000, forest_trees=500,
        tabm_k=32, deep_width=512, n_permutations=499, permutation_work=3600.0,
        tuning_trials=60, tuning_rows=30_000, tuning_max_epochs=200, job_seconds=14400.0,
    ),
}

MAX_ONE_HOT_CATEGORIES = 30
"""Rarer categories are pooled into one 'infrequent' column, so one-hot width stays bounded."""

MAX_EMBEDDED_CATEGORIES = 100
"""Levels a network embeds per categorical column; rarer ones share one embedding."""

MIN_ROWS = 20
"""Fewer rows than this cannot support cross-validated comparison at all."""

DEFAULT_MIN_GAIN_BOUNDED = 0.01
"""Minimum worthwhile gain of a deep model on bounded scores (ROC-AUC, accuracy)."""

MIN_GAIN_SHARE_OF_REMAINING_ERROR = 0.2
"""On bounded scores the default minimum gain is at most this share of the best classical
model's remaining error (1 - score): 0.01 at AUC 0.95 and below, 0.001 at AUC 0.995."""

MIN_GAIN_FLOOR_BOUNDED = 0.001
"""...but never below this: at a score of 1.0 a zero gain could never be cleared by a deep
model nor met by a simpler one, and differences below it are beyond what a test fold can
resolve."""

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

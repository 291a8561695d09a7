"""How a table network batches its rows, without torch: the estimators train with it, and
counted work (ModelSpec.steps_per_epoch) needs it where torch is not loaded."""

from __future__ import annotations

import numpy as np

VALIDATION_FRACTION = 0.15
"""Share of a fit's rows a network holds out for early stopping (its default)."""


def auto_batch_size(n_rows: int) -> int:
    """About 32 steps an epoch, within 32..512 rows a batch, a power of two."""
    return int(np.clip(2 ** round(np.log2(max(n_rows, 1) / 32)), 32, 512))


def table_steps_per_epoch(n_rows):
    """Optimizer steps of one epoch of a table network given `n_rows` rows (an int or an
    array of them): its training part in batches of `auto_batch_size`, a last batch of one
    row skipped as the training loop does (about 32 steps from 1,024 to 16,384 training
    rows, fewer below and more above)."""
    n_train = np.maximum(1, np.floor(np.asarray(n_rows) * (1 - VALIDATION_FRACTION)))
    batch = np.clip(2 ** np.round(np.log2(n_train / 32)), 32, 512)
    full, rest = np.divmod(n_train, batch)
    steps = np.maximum(1, full + (rest >= 2))
    return int(steps) if steps.ndim == 0 else steps.astype(int)

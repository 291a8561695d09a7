"""Robustness of a fitted model: its score under Gaussian noise on the numeric features, what
it predicts for rows unlike any it saw (random, all-zero, all-mean), and for a network the
adversarial figures of `dlcheck.probes.adversarial`.

- Noise: each numeric feature gets Gaussian noise of `level` x its standard deviation on the
  training rows, for each level of `NOISE_LEVELS`; categories and missing values stay.
- Random rows: each numeric feature drawn uniformly from its training 1%..99% range widened
  by `RANDOM_WIDEN` of that range on both sides, independently of the others (so that the
  rows sit off the data even where each value is plausible); each category drawn uniformly
  from the categories seen in training.
- Blank rows: every numeric feature 0, or at its training mean; every category its most
  frequent value.

Classification reports the mean top-class probability (the model's confidence) on each kind
of row; regression reports where its predictions fall against the training target's range.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlcheck.benchmark.fitting import FittedFold
from dlcheck.findings import rounded

NOISE_LEVELS = (0.1, 0.3, 1.0)
"""Noise standard deviations, in units of each numeric feature's training standard deviation."""
MAX_ROWS = 2000
"""Test rows scored at most under noise (a seeded sample): bounds the cost on large tables."""
N_RANDOM_ROWS = 1000
"""Random rows predicted."""
RANDOM_WIDEN = 0.5
"""Random numeric values span the training 1%..99% range widened by this share of it on both
sides."""


STACKED_CELLS = 4_000_000
"""Cells (rows x columns) predicted in one call: the clean, noisy, random and blank rows go
through the pipeline together, a few calls instead of eight, since every call pays a fixed
cost per column (the deep models' quantile transform); this bounds the memory it takes."""


def robustness(fitted: FittedFold) -> dict:
    rng = np.random.default_rng([fitted.data.seed, 4242])
    X, y = fitted.X_test, fitted.y_test
    if len(X) > MAX_ROWS:
        keep = np.sort(rng.choice(len(X), MAX_ROWS, replace=False))
        X, y = X.iloc[keep], y[keep]
    noisy = noisy_copies(fitted, X, rng)
    columns = fitted.data.inputs.features
    random = random_rows(fitted.X_train, columns.numeric, columns.categorical, N_RANDOM_ROWS, rng)
    blank = blank_rows(fitted.X_train, columns.numeric, columns.categorical)
    on_clean, *on_noisy, on_random, on_blank = predict_stacked(
        fitted, [X, *noisy, random, blank])
    out = {"rows": len(X), "noise": noise_scores(fitted, y, on_clean, on_noisy)}
    if fitted.data.task == "regression":
        out["extrapolation"] = extrapolation(fitted, on_random, on_blank)
    else:
        out["confidence"] = confidence(fitted, on_clean, on_random, on_blank)
    if hasattr(fitted.pipeline[-1], "input_gradient"):  # a network
        from dlcheck.probes.adversarial import adversarial

        out["adversarial"] = adversarial(fitted, X, y, rng)
    return out


def predict_stacked(fitted: FittedFold, frames: list[pd.DataFrame]) -> list[np.ndarray]:
    """`fitted.predict` of each frame, frames of the same columns and dtypes stacked into as
    few calls as `STACKED_CELLS` allows (rows are predicted independently of each other)."""
    outputs: list[np.ndarray] = []
    group: list[pd.DataFrame] = []

    def flush() -> None:
        if not group:
            return
        stacked = group[0] if len(group) == 1 else pd.concat(group, ignore_index=True)
        output, begin = fitted.predict(stacked), 0
        for frame in group:
            outputs.append(output[begin:begin + len(frame)])
            begin += len(frame)
        group.clear()

    for frame in frames:
        fits = group and frame.dtypes.equals(group[0].dtypes) and \
            (sum(map(len, group)) + len(frame)) * frame.shape[1] <= STACKED_CELLS
        if not fits:
            flush()
        group.append(frame)
    flush()
    return outputs


def noisy_copies(fitted: FittedFold, X: pd.DataFrame, rng: np.random.Generator) \
        -> list[pd.DataFrame]:
    """X with Gaussian noise on every numeric feature, one copy per level of `NOISE_LEVELS`
    (none without numeric features)."""
    numeric = list(fitted.data.inputs.features.numeric)
    if not numeric:
        return []
    spread = fitted.X_train[numeric].astype(float).std(ddof=0).fillna(0.0).to_numpy()
    values = X[numeric].astype(float).to_numpy()
    copies = []
    for level in NOISE_LEVELS:
        noisy = X.copy()
        noisy[numeric] = values + rng.standard_normal(values.shape) * (level * spread)
        copies.append(noisy)
    return copies


def noise_scores(fitted: FittedFold, y: np.ndarray, on_clean: np.ndarray,
                 on_noisy: list[np.ndarray]) -> dict:
    """Every metric on the clean rows and at each noise level."""
    from dlcheck.benchmark.scoring import score_predictions

    def scores(output: np.ndarray) -> dict[str, float | None]:
        return _clean(score_predictions(fitted.data.task, y, output, fitted.data.n_classes))

    return {"levels": list(NOISE_LEVELS), "clean": scores(on_clean),
            "noisy": [scores(output) for output in on_noisy]}


def random_rows(X_train: pd.DataFrame, numeric: list[str], categorical: list[str], n: int,
                rng: np.random.Generator) -> pd.DataFrame:
    """Rows from outside the data (see the module's docstring)."""
    rows = {}
    for col in X_train.columns:
        if col in numeric:
            values = X_train[col].astype(float).dropna().to_numpy()
            if len(values) == 0:
                rows[col] = np.full(n, np.nan)
                continue
            low, high = np.quantile(values, [0.01, 0.99])
            width = (high - low) or float(np.std(values)) or 1.0
            rows[col] = rng.uniform(low - RANDOM_WIDEN * width, high + RANDOM_WIDEN * width, n)
        else:
            seen = X_train[col].dropna().unique()
            rows[col] = rng.choice(seen, n) if len(seen) else np.full(n, None, dtype=object)
    return _like(pd.DataFrame(rows), X_train, categorical)


def blank_rows(X_train: pd.DataFrame, numeric: list[str], categorical: list[str]) \
        -> pd.DataFrame:
    """Two rows: every numeric feature 0, then every numeric feature at its training mean;
    categories at their most frequent value in both."""
    rows = {}
    for col in X_train.columns:
        if col in numeric:
            mean = X_train[col].astype(float).mean()
            rows[col] = [0.0, 0.0 if pd.isna(mean) else float(mean)]
        else:
            mode = X_train[col].mode(dropna=True)
            rows[col] = [mode.iloc[0] if len(mode) else None] * 2
    return _like(pd.DataFrame(rows), X_train, categorical)


def confidence(fitted: FittedFold, on_test: np.ndarray, on_random: np.ndarray,
               on_blank: np.ndarray) -> dict:
    """Mean top-class probability on the real test rows, on random rows and on blank rows,
    from the model's probabilities on each."""
    top_random = on_random.max(axis=1)
    on_blank = on_blank.max(axis=1)
    classes, counts = np.unique(on_random.argmax(axis=1), return_counts=True)
    return {
        "chance": rounded(1.0 / fitted.data.n_classes),
        "test": rounded(on_test.max(axis=1).mean()),
        "random": rounded(top_random.mean()),
        "random_median": rounded(np.median(top_random)),
        "random_share_above_0.9": rounded(np.mean(top_random >= 0.9)),
        "random_top_class": int(classes[counts.argmax()]),
        "random_top_class_share": rounded(counts.max() / len(top_random)),
        "zeros": rounded(on_blank[0]), "means": rounded(on_blank[1]),
    }


def extrapolation(fitted: FittedFold, pred: np.ndarray, on_blank: np.ndarray) -> dict:
    """How far predictions on random rows (`pred`) and blank rows go outside the training
    targets' range, in training-target standard deviations."""
    y = np.asarray(fitted.y_train, dtype=float)
    low, high, std = float(y.min()), float(y.max()), float(y.std()) or 1.0
    excess = np.maximum(pred - high, 0) + np.maximum(low - pred, 0)
    return {
        "target_min": rounded(low), "target_max": rounded(high), "target_std": rounded(std),
        "random_share_outside": rounded(np.mean(excess > 0)),
        "random_mean_excess_std": rounded(excess.mean() / std),
        "random_max_excess_std": rounded(excess.max() / std),
        "random_spread_std": rounded(np.std(pred) / std),
        "zeros_std_from_mean": rounded((on_blank[0] - y.mean()) / std),
        "means_std_from_mean": rounded((on_blank[1] - y.mean()) / std),
    }


def _like(rows: pd.DataFrame, X_train: pd.DataFrame, categorical: list[str]) -> pd.DataFrame:
    """The columns, order and dtypes of the training table."""
    rows = rows[list(X_train.columns)]
    for col in categorical:
        rows[col] = rows[col].astype(object)
    return rows


def _clean(scores: dict[str, float]) -> dict[str, float | None]:
    return {k: rounded(v) for k, v in scores.items()}

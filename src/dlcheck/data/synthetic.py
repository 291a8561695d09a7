"""Synthetic tables where the right verdict is known, for tests, benchmarks and users who want
to see each verdict happen. Every generator is seeded and returns (table, target name)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _realistic_features(rng: np.random.Generator, n: int, n_numeric: int = 10) -> pd.DataFrame:
    """Skewed, heavy-tailed, integer and categorical columns with some missing values."""
    cols: dict[str, np.ndarray] = {}
    for i in range(n_numeric):
        kind = i % 4
        if kind == 0:
            cols[f"num_{i}"] = rng.normal(50, 10, n)
        elif kind == 1:
            cols[f"num_{i}"] = rng.lognormal(3, 1, n)
        elif kind == 2:
            cols[f"num_{i}"] = rng.poisson(3, n).astype(float)
        else:
            cols[f"num_{i}"] = rng.standard_t(3, n)
    df = pd.DataFrame(cols)
    df["region"] = rng.choice(["north", "south", "east", "west"], n)
    df["plan"] = rng.choice(["basic", "plus", "pro"], n, p=[0.6, 0.3, 0.1])
    df["channel"] = rng.choice([f"c{i}" for i in range(12)], n)
    df.loc[rng.random(n) < 0.05, "num_1"] = np.nan
    df.loc[rng.random(n) < 0.03, "region"] = None
    return df


def noise_table(n: int = 1500, seed: int = 0) -> tuple[pd.DataFrame, str]:
    """A realistic table whose binary label is independent of every feature."""
    rng = np.random.default_rng(seed)
    df = _realistic_features(rng, n)
    df["churned"] = rng.choice(["yes", "no"], n, p=[0.3, 0.7])
    return df, "churned"


def linear_table(n: int = 1500, n_features: int = 10, noise: float = 1.0, seed: int = 0) \
        -> tuple[pd.DataFrame, str]:
    """A regression target that is a linear function of the features plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    w = rng.normal(size=n_features)
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_features)])
    df["y"] = X @ w + noise * rng.normal(size=n)
    return df, "y"


def rotated_smooth_table(n: int = 3000, n_features: int = 16, noise: float = 0.1,
                         seed: int = 0) -> tuple[pd.DataFrame, str]:
    """A smooth nonlinear function of a few random linear combinations of Gaussian features.

    The directions are oblique to every axis, so trees need many splits to follow them,
    while networks fit them directly."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    directions, _ = np.linalg.qr(rng.normal(size=(n_features, 3)))
    z = X @ directions
    y = np.sin(1.5 * z[:, 0]) + 0.5 * z[:, 1] ** 2 + np.tanh(z[:, 2]) * z[:, 0]
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_features)])
    df["y"] = y + noise * rng.normal(size=n)
    return df, "y"


def threshold_table(n: int = 3000, n_irrelevant: int = 30, seed: int = 0) \
        -> tuple[pd.DataFrame, str]:
    """A binary label made of axis-aligned thresholds and interactions, among many irrelevant
    features: the home ground of tree ensembles (Grinsztajn et al., 2022)."""
    rng = np.random.default_rng(seed)
    informative = rng.uniform(0, 1, size=(n, 5))
    score = ((informative[:, 0] > 0.5) & (informative[:, 1] < 0.3)).astype(float) \
        + ((informative[:, 2] > 0.7) ^ (informative[:, 3] > 0.4)).astype(float) \
        + (informative[:, 4] > 0.8) * 1.5
    noise_cols = rng.lognormal(0, 1, size=(n, n_irrelevant))
    X = np.column_stack([informative, noise_cols])
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    logit = 3.0 * (score - 1.2)
    df["label"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df, "label"


def wide_table(n: int = 10_000, n_features: int = 20, seed: int = 0) \
        -> tuple[pd.DataFrame, str]:
    """A binary table of the size the budgets are specified on: mixed signal and noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    logit = X[:, 0] - 0.8 * X[:, 1] + 0.6 * X[:, 2] * X[:, 3] + np.sin(2 * X[:, 4])
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_features)])
    df["target"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df, "target"


def large_table(n: int = 100_000, n_numeric: int = 45, n_categorical: int = 5, seed: int = 0) \
        -> tuple[pd.DataFrame, str]:
    """A binary table for scale tests: `n_numeric` numeric columns (normal, skewed, integer,
    a few missing values) and `n_categorical` categorical ones (4 to 64 levels), with a
    target that depends on a few of each, nonlinearly.

    Built column by column in float32 draws, so a million rows x 50 columns needs about
    0.5 GB here."""
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {}
    for i in range(n_numeric):
        kind = i % 3
        if kind == 0:
            values = rng.standard_normal(n, dtype=np.float32)
        elif kind == 1:
            values = np.exp(rng.standard_normal(n, dtype=np.float32))
        else:
            values = rng.poisson(3, n).astype(np.float32)
        cols[f"num_{i}"] = values
    levels = [4, 8, 16, 32, 64]
    for j in range(n_categorical):
        k = levels[j % len(levels)]
        cols[f"cat_{j}"] = rng.integers(0, k, n).astype(np.int16)
    num = [cols[f"num_{i}"].astype(float) for i in range(min(n_numeric, 6))]
    num += [np.zeros(n)] * (6 - len(num))
    logit = (num[0] - 0.5 * np.log1p(num[1]) + 0.4 * num[3] * num[0]
             + np.sin(num[3]) + 0.2 * (num[2] - 3))
    if n_categorical:
        effects = rng.normal(0, 0.6, levels[0])
        logit += effects[cols["cat_0"]]
    df = pd.DataFrame(cols)
    for j in range(n_categorical):
        df[f"cat_{j}"] = pd.Categorical.from_codes(
            df[f"cat_{j}"], [f"c{j}_{v}" for v in range(levels[j % len(levels)])])
    if n_numeric > 1:
        df.loc[rng.random(n) < 0.02, "num_1"] = np.nan
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    return df, "y"


def copied_rows_table(n: int = 1000, copied_share: float = 0.3, seed: int = 0) \
        -> tuple[pd.DataFrame, str]:
    """A bad join: `n` rows of continuous features and a binary label (a main effect and an
    interaction, so flexible models win), plus copies of randomly chosen rows (features and
    label) until copies make `copied_share` of the table, shuffled. By chance no two rows of
    continuous columns agree, so every feature twin is a copy."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 5)), columns=list("abcde"))
    df["y"] = (df["a"] + df["b"] * df["c"] + rng.normal(0, 1.0, n) > 0).astype(int)
    n_copies = int(round(copied_share * n / (1 - copied_share)))
    copies = df.iloc[rng.choice(n, n_copies, replace=True)]
    table = pd.concat([df, copies], ignore_index=True)
    return table.iloc[rng.permutation(len(table))].reset_index(drop=True), "y"


def noisy_label_copy_table(n: int = 2000, flip_share: float = 0.02, noise: float = 0.1,
                           seed: int = 0) -> tuple[pd.DataFrame, str]:
    """A leaked column: the binary label itself with `flip_share` of its values flipped, plus
    Gaussian noise of sd `noise`, next to five honest columns whose logistic signal is strong
    but not perfect (ROC-AUC about 0.93 together). The leak alone reaches ROC-AUC about 0.98
    and is right on about 98% of the rows."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    logit = 2.0 * (X[:, 0] + X[:, 1] - 0.5 * X[:, 2])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    df = pd.DataFrame(X, columns=list("abcde"))
    df["leak"] = np.where(rng.random(n) < flip_share, 1 - y, y) + rng.normal(0, noise, n)
    df["y"] = y
    return df, "y"


def dominant_feature_table(n: int = 2000, strength: float = 5.0, seed: int = 0) \
        -> tuple[pd.DataFrame, str]:
    """A legitimately dominant feature: a log-normal credit balance whose log drives the
    default probability smoothly (logistic slope `strength`), while five other columns add a
    little (two of them) or nothing. The balance alone reaches ROC-AUC about 0.94 at strength
    5, nearly the full model, yet the outcome stays uncertain near the middle of its range."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    balance = np.exp(rng.normal(8, 1, n))
    logit = strength * (np.log(balance) - 8) + 0.3 * X[:, 0] + 0.2 * X[:, 1]
    df = pd.DataFrame(X, columns=list("abcde"))
    df["balance"] = balance
    df["default"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df, "default"


def rare_smooth_table(n: int = 4000, intercept: float = -3.8, seed: int = 0) \
        -> tuple[pd.DataFrame, str]:
    """An intrinsically hard problem with clean labels: a rare positive class (about 3% at
    the default intercept) whose probability is a smooth, weak logistic function of two of
    five Gaussian features (ROC-AUC about 0.75 at best). No label is wrong; many rows are
    simply uncertain."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    logit = intercept + 0.8 * X[:, 0] + 0.5 * X[:, 1]
    df = pd.DataFrame(X, columns=list("abcde"))
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df, "y"

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

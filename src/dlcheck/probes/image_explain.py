"""Where a fitted image model looks: occlusion maps (Zeiler & Fergus, 2014) on a few test
images. A grey square (the image's mean level) slides over each image; the map at a place is
how much covering it there lowers the probability the model gives the image's true class. The
same method and the same class for every model of the ladder, so the classical and the deep
maps compare even where the models disagree on the image."""

from __future__ import annotations

import numpy as np

from dlcheck.benchmark.fitting import FittedFold
from dlcheck.findings import rounded

N_IMAGES = 4
"""Test images explained: the first of the fold's test part of each class, for the first four
classes; the first images of the fold where fewer classes exist."""


def image_explain(fitted: FittedFold) -> dict:
    X, y = fitted.X_test, fitted.y_test
    chosen = _one_per_class(y, N_IMAGES)
    maps = [occlusion_map(fitted, X[i], int(y[i])) for i in chosen]
    return {"rows": [int(i) for i in chosen], "labels": [int(y[i]) for i in chosen],
            "maps": [m.round(4).tolist() for m in maps],
            "centre_share": rounded(float(np.mean([_centre_share(m) for m in maps])))}


def occlusion_map(fitted: FittedFold, image: np.ndarray, label: int) -> np.ndarray:
    """(size, size) drop of the probability of class `label` when a square of about a
    seventh of the side, centred there, is set to the image's mean (stride: half a square)."""
    c, h, w = image.shape
    patch = max(2, round(h / 7))
    stride = max(1, patch // 2)
    base = fitted.predict(image[None])[0]
    top = label
    fill = image.mean(axis=(1, 2), keepdims=True).astype(image.dtype)
    corners = [(r, q) for r in range(0, h - patch + 1, stride)
               for q in range(0, w - patch + 1, stride)]
    covered = np.repeat(image[None], len(corners), axis=0)
    for k, (r, q) in enumerate(corners):
        covered[k, :, r:r + patch, q:q + patch] = fill
    drops = base[top] - fitted.predict(covered)[:, top]
    total, count = np.zeros((h, w)), np.zeros((h, w))
    for (r, q), drop in zip(corners, drops, strict=True):
        total[r:r + patch, q:q + patch] += drop
        count[r:r + patch, q:q + patch] += 1
    return total / np.maximum(count, 1)


def _one_per_class(y: np.ndarray, n: int) -> list[int]:
    chosen: list[int] = []
    for label in np.unique(y):
        if len(chosen) < n:
            chosen.append(int(np.flatnonzero(y == label)[0]))
    rest = [i for i in range(len(y)) if i not in chosen]
    return sorted(chosen + rest[:max(0, n - len(chosen))])


def _centre_share(m: np.ndarray) -> float:
    """Share of the positive map inside the central half of the image (a quarter of its area)."""
    positive = np.maximum(m, 0)
    h, w = m.shape
    inner = positive[h // 4:h - h // 4, w // 4:w - w // 4].sum()
    return float(inner / positive.sum()) if positive.sum() > 0 else float("nan")

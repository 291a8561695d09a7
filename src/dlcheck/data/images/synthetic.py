"""Synthetic image sets where the right verdict is known, for tests and benchmarks, and the
writer that turns any image array into a folder of class subfolders."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_image_folder(images: np.ndarray, labels, root: Path) -> Path:
    """uint8 images (n, h, w) or (n, h, w, 3) as PNG files in root/<label>/<i>.png."""
    from PIL import Image

    root = Path(root)
    for i, (image, label) in enumerate(zip(images, labels, strict=True)):
        folder = root / str(label)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.asarray(image, dtype=np.uint8)).save(folder / f"{i:05d}.png")
    return root


def noise_images(n: int = 400, size: int = 16, n_classes: int = 2, seed: int = 0) \
        -> tuple[np.ndarray, np.ndarray]:
    """Uniform random pixels with random labels: nothing to learn."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, size, size), dtype=np.uint8)
    return images, np.array([f"c{k}" for k in rng.integers(0, n_classes, n)])


def brightness_images(n: int = 400, size: int = 16, gap: float = 24.0, seed: int = 0) \
        -> tuple[np.ndarray, np.ndarray]:
    """Two classes of textured noise that differ only in their mean brightness: a linear
    model on the pixels (their mean) is all it takes."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    base = 128 + gap * (labels - 0.5)
    images = base[:, None, None] + rng.normal(0, 40, (n, size, size))
    return np.clip(images, 0, 255).astype(np.uint8), np.where(labels == 1, "bright", "dark")


def shape_images(n: int = 2000, size: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """An 'L' or a 'T' of 5-pixel strokes at a random position over a textured background:
    both shapes have the same horizontal and vertical edges, so histograms of gradients and
    pixel averages barely tell them apart, while a convolution that sees the junction does,
    wherever it lies."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = rng.normal(90, 25, (n, size, size))
    for image, label in zip(images, labels, strict=True):
        top, left = rng.integers(0, size - 5, 2)
        patch = image[top:top + 5, left:left + 5]
        if label:  # T: a bar on top, a stem down the middle
            patch[0, :] = 230
            patch[:, 2] = 230
        else:  # L: a stem on the left, a bar at the bottom
            patch[:, 0] = 230
            patch[4, :] = 230
    return np.clip(images, 0, 255).astype(np.uint8), np.where(labels == 1, "T", "L")

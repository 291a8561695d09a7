"""A labelled image set as the engine takes it (a `dlcheck.data.dataset.Dataset`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from dlcheck._config import MIN_ROWS
from dlcheck.data.images.reading import read_images
from dlcheck.data.images.sources import ImageSource
from dlcheck.errors import DataError
from dlcheck.findings import Finding

SAMPLES_PER_CLASS = 8
MAX_CLASSES_SHOWN = 30


def png_data_uri(image: np.ndarray) -> str:
    """A (channels, h, w) uint8 image as a data: URI of a PNG file."""
    import base64
    import io

    from PIL import Image

    array = image[0] if image.shape[0] == 1 else image.transpose(1, 2, 0)
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(array)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@dataclass(frozen=True)
class ImageFeatures:
    """What the image ladder needs to build its models."""

    channels: int
    size: int
    augment_flip: bool = False
    """Flip training images left-right as augmentation (off by default: a flipped digit or
    letter is another symbol)."""
    weights: str | None = None
    """A checkpoint of a pretrained torchvision ResNet to fine-tune (None: none available)."""


@dataclass(frozen=True)
class ImageInputs:
    """The images as uint8 (n, channels, size, size): what the image ladder's pipelines take."""

    pixels: np.ndarray
    features: ImageFeatures
    kind: ClassVar[str] = "image"

    @property
    def n_features(self) -> int:
        return int(np.prod(self.pixels.shape[1:]))

    def take(self, rows: np.ndarray) -> np.ndarray:
        return self.pixels[rows]


@dataclass
class ImageData:
    """Labelled images, read, resized and checked (the image kind of `Dataset`)."""

    kind: ClassVar[str] = "image"

    pixels: np.ndarray
    y: np.ndarray
    task: str
    target: str
    classes: list[str]
    paths: list[str]
    """Each image's path, relative to the folder (or the table's folder)."""
    features: ImageFeatures
    source_kind: str
    image_col: str | None
    n_files_input: int
    original_sizes: dict[str, int]
    resized: int
    groups: np.ndarray | None = None
    times: np.ndarray | None = None
    findings: list[Finding] = field(default_factory=list)
    weights_origin: str = ""
    """Where the pretrained weights came from, or why there are none (for the report)."""

    @property
    def n_rows(self) -> int:
        return len(self.y)

    @property
    def n_features(self) -> int:
        return int(np.prod(self.pixels.shape[1:]))

    @property
    def source_rows(self) -> np.ndarray:
        return np.arange(self.n_rows)

    def describe_row(self, row: int) -> dict:
        return {"file": self.paths[row], "image": png_data_uri(self.pixels[row])}

    def model_inputs(self) -> ImageInputs:
        return ImageInputs(self.pixels, self.features)

    def describe(self) -> dict:
        return {
            "kind": "image",
            "source_kind": self.source_kind,
            "image_col": self.image_col,
            "files_input": self.n_files_input,
            "image_size": [self.features.size, self.features.size],
            "channels": self.features.channels,
            "colour": self.features.channels == 3,
            "resized_images": self.resized,
            "original_sizes": self.original_sizes,
            "augment_flip": self.features.augment_flip,
            "pretrained_weights": Path(self.features.weights).name
            if self.features.weights else None,
            "pretrained_weights_origin": self.weights_origin,
            "columns": self.n_features,
            "features_used": self.n_features,
            "column_kinds": {self.image_col or "image": "image"},
            "sample_images": self.sample_images(),
        }

    def sample_images(self, per_class: int = SAMPLES_PER_CLASS) -> dict[str, list[str]]:
        """A few images of each class (the first in file order) as PNG data URIs, so that
        the report shows them with nothing but report.json."""
        samples = {}
        for code, label in enumerate(self.classes[:MAX_CLASSES_SHOWN]):
            rows = np.flatnonzero(self.y == code)[:per_class]
            samples[label] = [png_data_uri(self.pixels[i]) for i in rows]
        return samples

    def fingerprint(self) -> str:
        digest = hashlib.sha256(json.dumps(
            [self.task, self.target, self.classes, list(self.pixels.shape),
             self.features.augment_flip, self.features.weights]).encode())
        digest.update(np.ascontiguousarray(self.pixels).tobytes())
        digest.update(np.asarray(self.y, dtype=np.int64).tobytes())
        if self.groups is not None:
            digest.update(pd.util.hash_array(np.asarray(self.groups, dtype=object)).tobytes())
        if self.features.weights:
            digest.update(_file_digest(Path(self.features.weights)).encode())
        return "image:" + digest.hexdigest()

    def subset(self, rows: np.ndarray) -> ImageData:
        rows = np.asarray(rows)
        return replace(self, pixels=self.pixels[rows], y=self.y[rows],
                       paths=[self.paths[i] for i in rows],
                       groups=None if self.groups is None else self.groups[rows],
                       findings=list(self.findings))


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prepare_images(source: ImageSource, target: str, task: str = "auto", *,
                   image_size: int | None = None, augment_flip: bool = False,
                   weights: str | None = None, weights_origin: str = "") -> ImageData:
    """Read the images of `source` and label them; raise DataError on a set no benchmark can
    use (one class, fewer than MIN_ROWS readable images, a regression target)."""
    if task == "regression":
        raise DataError("images are classified: a numeric target per image (<task=regression>) "
                        "is not supported yet. Give class labels.")
    if image_size is not None and not 8 <= image_size <= 512:
        raise DataError(f"<image_size> must be between 8 and 512 pixels, not {image_size}.")
    findings = list(source.findings)
    read = read_images(source.paths, image_size)
    if read.unreadable:
        examples = {Path(p).name: why for p, why in list(read.unreadable.items())[:5]}
        findings.append(Finding(
            check="unreadable_images", severity="warning",
            summary=f"{len(read.unreadable)} of {len(source.paths)} image files could not be "
                    "read (empty, truncated or not an image) and were left out.",
            evidence={"unreadable": len(read.unreadable), "files": len(source.paths),
                      "examples": examples},
            advice="Re-export or remove these files; a truncated file is often an interrupted "
                   "copy.",
        ))
    if len(read.kept) == 0:
        raise DataError(f"none of the {len(source.paths)} image files could be read (e.g. "
                        f"{next(iter(read.unreadable.values()))}): give PNG, JPEG or BMP "
                        "images.")
    labels = source.labels.iloc[read.kept].reset_index(drop=True)
    groups = None if source.groups is None else \
        source.groups.iloc[read.kept].reset_index(drop=True)
    has_label = labels.notna().to_numpy()
    if not has_label.all():
        n = int((~has_label).sum())
        findings.append(Finding(
            check="missing_target", severity="warning",
            summary=f"{n} images without a label were left out.",
            evidence={"rows_left_out": n}, advice="Label these images or drop them."))
    keep = has_label.copy()
    text = labels.astype(str)
    counts = text[keep].value_counts()
    single = counts[counts < 2]
    if len(counts) - len(single) < 2:
        only = ", ".join(repr(c) for c in counts.index[:3])
        raise DataError(f"the images have a single class ({only}): there is nothing to tell "
                        "apart. Give at least two classes, with two images or more each.")
    if len(single):
        keep &= ~text.isin(single.index).to_numpy()
        findings.append(Finding(
            check="singleton_classes", severity="warning",
            summary=f"{len(single)} class(es) with a single image were left out: "
                    + ", ".join(repr(c) for c in single.index[:10]) + ".",
            evidence={"classes": list(single.index.astype(str))},
            advice="A class needs images in both training and test folds: add images of it."))
    if keep.sum() < MIN_ROWS:
        raise DataError(f"only {int(keep.sum())} readable, labelled images: dlcheck needs at "
                        f"least {MIN_ROWS} to compare models. Collect more images.")
    codes, uniques = pd.factorize(text[keep], sort=True)
    positions = np.flatnonzero(keep)
    group_values = None
    if groups is not None:
        kept_groups = groups.iloc[positions]
        if kept_groups.isna().any():
            raise DataError(f"<group_col> is missing for {int(kept_groups.isna().sum())} images: "
                            "fill these group IDs or drop those rows.")
        group_values = kept_groups.astype(str).to_numpy()
    n_classes = len(uniques)
    resolved = task if task != "auto" else ("binary" if n_classes == 2 else "multiclass")
    if resolved == "binary" and n_classes != 2:
        raise DataError(f"<task=binary> needs two classes; the images have {n_classes}: use "
                        "<task=multiclass>.")
    root = source.root
    paths = [_relative(source.paths[read.kept[i]], root) for i in positions]
    return ImageData(
        pixels=read.pixels[positions], y=codes.astype(np.int64), task=resolved, target=target,
        classes=[str(u) for u in uniques], paths=paths,
        features=ImageFeatures(channels=read.pixels.shape[1], size=read.pixels.shape[2],
                               augment_flip=augment_flip, weights=weights),
        source_kind=source.kind, image_col=source.image_col,
        n_files_input=len(source.paths) + source.ignored_files,
        original_sizes={f"{w}x{h}": n for (w, h), n in read.original_sizes.most_common(10)},
        resized=read.resized, groups=group_values, findings=findings,
        weights_origin=weights_origin)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)

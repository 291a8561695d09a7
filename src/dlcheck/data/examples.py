"""Real example data sets that ship inside dependencies: no download, ever."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
    load: Callable[[], pd.DataFrame]


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
    )
}

DEMO_EXAMPLE = "breast_cancer"


def load_example(name: str) -> tuple[pd.DataFrame, str]:
    """The table of an example and the name of its target column."""
    try:
        example = EXAMPLES[name]
    except KeyError:
        raise DataError(f"unknown example {name!r}: choose one of {', '.join(EXAMPLES)} "
                        "(see `dlcheck examples`).") from None
    return example.load(), example.target

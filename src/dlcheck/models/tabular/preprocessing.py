"""Preprocessing fitted inside each fold, one style per model family."""

from __future__ import annotations

from typing import Literal

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    OneHotEncoder,
    OrdinalEncoder,
    QuantileTransformer,
    StandardScaler,
)

from dlcheck._config import MAX_EMBEDDED_CATEGORIES, MAX_ONE_HOT_CATEGORIES

Style = Literal["linear", "tree", "deep"]


def make_preprocessor(style: Style, numeric: list[str], categorical: list[str]) \
        -> ColumnTransformer:
    """Numeric columns first, then categorical ones: the deep models rely on that order."""
    missing = ("missing", MissingIndicator(features="missing-only", error_on_new=False), numeric)
    impute_cat = SimpleImputer(strategy="constant", fill_value="__missing__")
    if style == "linear":
        num = make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                            StandardScaler())
        cat = make_pipeline(impute_cat, OneHotEncoder(
            handle_unknown="infrequent_if_exist", max_categories=MAX_ONE_HOT_CATEGORIES,
            sparse_output=False))
        transformers = [("num", num, numeric), ("cat", cat, categorical)]
    elif style == "tree":
        # Trees split on NaN natively and do not need scaling; categories become codes.
        cat = make_pipeline(impute_cat, OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=-1, dtype=np.float64))
        transformers = [("num", "passthrough", numeric), ("cat", cat, categorical)]
    elif style == "deep":
        # Quantile-normal inputs are robust to skew and outliers (Gorishniy et al., 2021).
        num = make_pipeline(SimpleImputer(strategy="median"), QuantileTransformer(
            output_distribution="normal", n_quantiles=1000, subsample=100_000, random_state=0))
        cat = make_pipeline(impute_cat, OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=-1,
            max_categories=MAX_EMBEDDED_CATEGORIES, dtype=np.float64))
        transformers = [("num", num, numeric), missing, ("cat", cat, categorical)]
    else:
        raise ValueError(f"unknown preprocessing style {style!r}")
    kept = [t for t in transformers if t[2]]
    return ColumnTransformer(kept, remainder="drop", verbose_feature_names_out=False)

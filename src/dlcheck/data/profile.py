"""Understand a table: the task and the kind of each column."""

from __future__ import annotations

import re
import warnings
from typing import Literal

import numpy as np
import pandas as pd

from dlcheck.errors import DataError

Task = Literal["binary", "multiclass", "regression"]
ColumnKind = Literal["numeric", "categorical", "boolean", "datetime", "text", "id", "constant"]

TASKS: tuple[str, ...] = ("binary", "multiclass", "regression")
MAX_CLASSES_FOR_INTEGER_TARGET = 20
"""An integer target with at most this many values is read as classes, else as regression."""

_ID_NAME = re.compile(r"(^|[_\W])(id|uuid|guid|key|index|idx)$|^id[_\W]", re.IGNORECASE)
_BOOL_WORDS = {"true", "false", "yes", "no", "y", "n", "t", "f"}


def detect_task(y: pd.Series) -> Task:
    """The task a target column implies: two values is binary; text or few integers is
    multiclass; anything else numeric is regression."""
    values = y.dropna()
    n_unique = values.nunique()
    if n_unique <= 2:
        return "binary"
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "multiclass"
    as_float = values.astype(float)
    is_integer = bool(np.all(np.mod(as_float, 1) == 0))
    if is_integer and n_unique <= MAX_CLASSES_FOR_INTEGER_TARGET:
        return "multiclass"
    return "regression"


def infer_column_kind(column: pd.Series) -> ColumnKind:
    """The kind of one feature column, from its values and its name."""
    values = column.dropna()
    n = len(values)
    n_unique = values.nunique()
    if n_unique <= 1:
        return "constant"
    if pd.api.types.is_bool_dtype(values):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if pd.api.types.is_numeric_dtype(values):
        if n_unique == 2:
            return "boolean"
        is_integer = pd.api.types.is_integer_dtype(values) or bool(
            np.all(np.mod(values.to_numpy(dtype=float), 1) == 0))
        if is_integer and n >= 50 and n_unique / n > 0.99 and (
            _ID_NAME.search(str(column.name)) or values.is_monotonic_increasing
        ):
            return "id"
        return "numeric"

    text = values.astype(str)
    if n_unique == 2 and set(text.str.lower().unique()) <= _BOOL_WORDS:
        return "boolean"
    if _looks_like_datetime(text):
        return "datetime"
    unique_ratio = n_unique / n
    mean_words = text.str.split().str.len().mean()
    if mean_words >= 4 and unique_ratio > 0.5:
        return "text"
    if n >= 50 and unique_ratio > 0.9:
        return "id"
    return "categorical"


def _looks_like_datetime(text: pd.Series) -> bool:
    sample = text.sample(min(len(text), 200), random_state=0)
    if not sample.str.contains(r"\d", regex=True).all() or sample.str.len().max() > 40:
        return False
    # Plain numbers are not dates, whatever pandas can make of them.
    if sample.str.fullmatch(r"[-+]?\d*\.?\d+").all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= 0.95)


def resolve_task(y: pd.Series, task: str) -> Task:
    if task == "auto":
        return detect_task(y)
    if task not in TASKS:
        raise DataError(f"unknown task {task!r}: choose auto, binary, multiclass or regression.")
    n_unique = y.nunique()
    if task == "binary" and n_unique != 2:
        raise DataError(f"--task binary needs a target with 2 values; it has {n_unique}. "
                        "Use --task multiclass or --task regression.")
    if task == "regression" and not pd.api.types.is_numeric_dtype(y):
        raise DataError("--task regression needs a numeric target; this one holds text. "
                        "Use --task multiclass, or convert the column to numbers.")
    return task  # type: ignore[return-value]

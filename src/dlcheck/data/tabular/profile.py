"""Understand a table: the task and the kind of each column."""

from __future__ import annotations

import re
import warnings
from typing import Literal

import numpy as np
import pandas as pd

from dlcheck.errors import DataError

Task = Literal["binary", "multiclass", "regression"]
ColumnKind = Literal["numeric", "categorical", "boolean", "datetime", "text", "id", "constant",
                     "empty", "unsupported"]

TASKS: tuple[str, ...] = ("binary", "multiclass", "regression")
MAX_CLASSES_FOR_INTEGER_TARGET = 20
"""An integer target with at most this many values is read as classes, else as regression."""

_ID_NAME = re.compile(r"(^|[_\W])(id|uuid|guid|key|index|idx)$|^id[_\W]", re.IGNORECASE)
_BOOL_WORDS = {"true", "false", "yes", "no", "y", "n", "t", "f"}
# Dates as people and exports write them: 2024-01-31, 31/01/2024, 2024.01.31, Jan 31 2024.
_DATE_LIKE = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|\d{1,2} [A-Za-z]{3,9}\.? \d{4}"
)
NUMERIC_PARSE_SHARE = 0.95
"""A text column whose values parse as numbers this often is numeric with a few placeholders."""
MIXED_NUMERIC_SHARE = 0.5
MIXED_NUMERIC_DISTINCT = 20
"""A text column that is mostly (>= half) numbers with more than this many distinct numbers is
a measurement with stray text ('oops', '#VALUE!'): numeric, the text becoming missing. Fewer
distinct numbers look like codes ('1', '2', 'XL') and stay categorical."""


def detect_task(y: pd.Series) -> Task:
    """The task a target column implies: two values is binary; text or few integers is
    multiclass; anything else numeric is regression."""
    values = y.dropna()
    n_unique = values.nunique()
    if n_unique <= 2:
        return "binary"
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "multiclass"
    is_integer = _all_integers(values)
    if is_integer and n_unique <= MAX_CLASSES_FOR_INTEGER_TARGET:
        return "multiclass"
    return "regression"


def infer_column_kind(column: pd.Series) -> ColumnKind:
    """The kind of one feature column, from its values and its name."""
    values = column.dropna()
    n = len(values)
    if n == 0:
        return "empty"
    try:
        n_unique = values.nunique()
    except TypeError:  # lists, dicts or arrays in cells: nothing a table model can use
        return "unsupported"
    if n_unique <= 1:
        return "constant"
    if isinstance(column.dtype, pd.CategoricalDtype):
        return "categorical"  # declared by the user: their intent wins over the values
    if pd.api.types.is_bool_dtype(values):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if pd.api.types.is_numeric_dtype(values):
        if n_unique == 2:
            return "boolean"
        is_integer = pd.api.types.is_integer_dtype(values) or _all_integers(values)
        if is_integer and n >= 50 and n_unique / n > 0.99 and (
            _ID_NAME.search(str(column.name)) or _is_row_counter(values)
        ):
            return "id"
        return "numeric"

    if looks_numeric(values):
        if n >= 50 and n_unique / n > 0.9 and _numbers_in(values)[0] < NUMERIC_PARSE_SHARE:
            return "id"  # codes such as 10023, A1024, 10025: unique, and not all numbers
        return "numeric"
    text = values.astype(str)
    if n_unique == 2 and set(text.str.lower().unique()) <= _BOOL_WORDS:
        return "boolean"
    if _looks_like_datetime(text):
        return "datetime"
    unique_ratio = n_unique / n
    # Over distinct values, weighted by their counts: a million rows of a few categories cost
    # a few splits, not a million.
    counts = text.value_counts()
    mean_words = float(np.average(pd.Series(counts.index).str.split().str.len(),
                                  weights=counts.to_numpy()))
    if mean_words >= 4 and unique_ratio > 0.5:
        return "text"
    if n >= 50 and unique_ratio > 0.9:
        return "id"
    return "categorical"


def _is_row_counter(values: pd.Series) -> bool:
    """1, 2, 3, ...: a row number, not a measurement that happens to be sorted."""
    steps = np.diff(values.to_numpy(dtype=float))
    return len(steps) > 0 and float(np.mean(steps == 1)) > 0.99


def _all_integers(values: pd.Series) -> bool:
    """Every finite value is whole (infinities, which prepare turns into missing, aside)."""
    numbers = values.to_numpy(dtype=float)
    finite = numbers[np.isfinite(numbers)]
    return bool(np.all(np.mod(finite, 1) == 0))


def looks_numeric(values: pd.Series, strict: bool = False) -> bool:
    """Text that is numbers but for a few placeholders such as '?' or 'n/a', or (unless
    `strict`) a measurement with some stray text in it (see MIXED_NUMERIC_SHARE)."""
    share, n_distinct = _numbers_in(values)
    return share >= NUMERIC_PARSE_SHARE or (
        not strict and share >= MIXED_NUMERIC_SHARE and n_distinct > MIXED_NUMERIC_DISTINCT)


def _numbers_in(values: pd.Series) -> tuple[float, int]:
    """The share of values that parse as numbers, and how many distinct numbers they give.

    Each distinct value is parsed once (a million rows of a few codes cost a few parses)."""
    if len(values) == 0:
        return 0.0, 0
    try:
        counts = values.value_counts(dropna=False)
    except TypeError:  # unhashable cells
        parsed = _parse_numbers(values)
        return float(parsed.notna().mean()), int(parsed.nunique())
    parsed = _parse_numbers(pd.Series(counts.index, dtype=object))
    parses = parsed.notna().to_numpy()
    return float(counts.to_numpy()[parses].sum() / len(values)), int(parsed.nunique())


def _parse_numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.astype(str).str.strip(), errors="coerce")


def parse_datetimes(values: pd.Series) -> pd.Series:
    """Timestamps in UTC (naive), NaT where a value does not parse; mixed offsets are fine."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            stamps = pd.to_datetime(values, errors="coerce", format="mixed", utc=True)
        except (ValueError, TypeError, OverflowError):
            return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    return stamps.dt.tz_convert(None)


def _looks_like_datetime(text: pd.Series) -> bool:
    sample = text.sample(min(len(text), 200), random_state=0)
    if sample.str.len().max() > 40 or sample.str.contains(_DATE_LIKE).mean() < 0.95:
        return False
    return bool(parse_datetimes(sample).notna().mean() >= 0.95)


def resolve_task(y: pd.Series, task: str) -> Task:
    if task == "auto":
        return detect_task(y)
    if task not in TASKS:
        raise DataError(f"unknown task {task!r}: choose auto, binary, multiclass or regression.")
    n_unique = y.nunique()
    if task == "binary" and n_unique != 2:
        raise DataError(f"<task=binary> needs a target with 2 values; it has {n_unique}. "
                        "Use <task=multiclass> or <task=regression>.")
    if task == "regression" and not pd.api.types.is_numeric_dtype(y):
        raise DataError("<task=regression> needs a numeric target; this one holds text. "
                        "Use <task=multiclass>, or convert the column to numbers.")
    return task  # type: ignore[return-value]

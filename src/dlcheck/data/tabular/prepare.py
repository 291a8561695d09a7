"""Turn a raw table into model-ready features, a target and the facts about both."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np
import pandas as pd

from dlcheck._config import MAX_EMBEDDED_CATEGORIES, MAX_ONE_HOT_CATEGORIES, MIN_ROWS
from dlcheck.data.tabular.inputs import TableFeatures, TableInputs
from dlcheck.data.tabular.profile import (
    Task,
    infer_column_kind,
    looks_numeric,
    parse_datetimes,
    resolve_task,
)
from dlcheck.errors import DataError
from dlcheck.findings import Finding

_DROPPED_KINDS = {
    "id": "ID-like: nearly every value is unique, so it identifies rows rather than "
          "describing them",
    "constant": "constant: a single value carries no information",
    "empty": "empty: missing in every row",
    "text": "free text: text features are not modelled yet",
    "unsupported": "unsupported: cells hold lists or objects, not values",
}


@dataclass
class TableData:
    """A table ready for the benchmark (the table's `Dataset`, dlcheck.data.dataset): its
    features and target, and what was done to get there."""

    kind: ClassVar[str] = "table"

    X: pd.DataFrame
    y: np.ndarray
    task: Task
    target: str
    classes: list[str]
    numeric_columns: list[str]
    categorical_columns: list[str]
    column_kinds: dict[str, str]
    dropped_columns: dict[str, str]
    n_rows_input: int
    n_columns_input: int
    source_rows: np.ndarray | None = None
    """For each prepared row, its row number in the user's table (rows without a target and
    rows of single-row classes are left out, so the two can differ)."""
    groups: np.ndarray | None = None
    times: np.ndarray | None = None
    findings: list[Finding] = field(default_factory=list)
    dropped_values: pd.DataFrame | None = None
    """The values of the columns left out as ID-like, one row per prepared row (None: there
    are none): no model sees them, but a check asks whether they still predict the target."""

    @property
    def n_rows(self) -> int:
        return len(self.y)

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    @property
    def features(self) -> TableFeatures:
        return TableFeatures(self.numeric_columns, self.categorical_columns)

    def describe(self) -> dict:
        """What the report says of a table: its columns, their kinds, what was left out."""
        missing = self.X.isna().sum()
        return {
            "rows_input": self.n_rows_input,
            "columns": self.n_columns_input,
            "features_used": int(self.X.shape[1]),
            "column_kinds": self.column_kinds,
            "dropped_columns": self.dropped_columns,
            "numeric_features": self.numeric_columns,
            "categorical_features": self.categorical_columns,
            "missing_cells": int(missing.sum()),
            "missing_by_column": {str(c): int(n) for c, n in missing.items()},
        }

    def describe_row(self, row: int) -> dict:
        return {}

    def model_inputs(self) -> TableInputs:
        return TableInputs(self.X, self.features)

    def fingerprint(self) -> str:
        """A digest of the features' names, kinds and values, the target and how rows may be
        split (groups, times)."""
        digest = hashlib.sha256(json.dumps(
            [self.task, self.target, self.classes, self.numeric_columns,
             self.categorical_columns, [str(t) for t in self.X.dtypes]]).encode())
        digest.update(pd.util.hash_pandas_object(self.X, index=False).to_numpy().tobytes())
        for values in (self.y, self.groups, self.times):
            if values is not None:
                digest.update(pd.util.hash_array(np.asarray(values, dtype=object)).tobytes())
        return "table:" + digest.hexdigest()

    def subset(self, rows: np.ndarray) -> TableData:
        rows = np.asarray(rows)

        def taken(values):
            return None if values is None else np.asarray(values)[rows]

        return replace(
            self, X=self.X.iloc[rows].reset_index(drop=True), y=self.y[rows],
            source_rows=taken(self.source_rows), groups=taken(self.groups),
            times=taken(self.times), findings=list(self.findings),
            dropped_values=None if self.dropped_values is None else
            self.dropped_values.iloc[rows].reset_index(drop=True))

    @property
    def class_counts(self) -> dict[str, int]:
        if not self.classes:
            return {}
        counts = np.bincount(self.y, minlength=len(self.classes))
        return {label: int(c) for label, c in zip(self.classes, counts, strict=True)}


def prepare(
    df: pd.DataFrame,
    target: str,
    task: str = "auto",
    time_col: str | None = None,
    group_col: str | None = None,
) -> TableData:
    """Validate the table and build features; raise DataError on input no benchmark can use."""
    names = pd.Index([str(c) for c in df.columns])  # 1 and "1" are one name once text
    if names.duplicated().any():
        dupes = sorted(set(names[names.duplicated()]))
        raise DataError(f"duplicate column names: {', '.join(map(repr, dupes))}. Rename them so "
                        "that every column has its own name.")
    with_nul = [c for c in names if "\x00" in c]
    if with_nul:
        # NumPy's text arrays, which scikit-learn selects columns with, cut names at a NUL.
        raise DataError(f"column name(s) {', '.join(map(repr, with_nul[:5]))} hold a NUL "
                        "character (\\x00): rename them without it.")
    # Index = row number in the user's table, carried through every row filter below.
    df = df.set_axis(names, axis=1).reset_index(drop=True)
    target = str(target)
    time_col = None if time_col is None else str(time_col)
    group_col = None if group_col is None else str(group_col)
    if time_col is not None and group_col is not None:
        raise DataError("<time_col> and <group_col> cannot be combined yet: choose the one "
                        "that matches how the model will be used.")
    require_column(df, target, "<target>")
    for option, col in (("<time_col>", time_col), ("<group_col>", group_col)):
        if col is not None:
            require_column(df, col, option)
            if col == target:
                raise DataError(f"{option} {col!r} is the target: choose another column.")

    findings: list[Finding] = []
    n_rows_input, n_columns_input = df.shape
    target_values, infinite, strays = _clean_target(df[target])
    missing_target = target_values.isna()
    if missing_target.all():
        what = _unusable_cells(infinite, strays)
        state = f"has no usable value ({what})" if what else "is empty in every row"
        raise DataError(f"target {target!r} {state}: choose a column with values, or fill "
                        "this one.")
    if missing_target.any():
        n_missing = int(missing_target.sum())
        what = _unusable_cells(infinite, strays)
        findings.append(Finding(
            check="missing_target", severity="warning",
            summary=f"{n_missing} rows without a usable target value were left out"
                    + (f" ({what})." if what else "."),
            evidence={"rows_left_out": n_missing, "infinite": infinite,
                      "not_numbers": len(strays), "examples": _examples(strays)},
            advice="Label these rows or confirm that leaving them out is right.",
        ))
        df = df.loc[~missing_target]
        target_values = target_values.loc[~missing_target]
    df = df.copy(deep=False)  # a new frame to write the cleaned target into (pandas 2 warns)
    df[target] = target_values
    y_raw = df[target]
    if y_raw.nunique() < 2:
        raise DataError(f"target {target!r} has a single value ({_plain(y_raw.iloc[0])!r}): "
                        "there is nothing to predict. Choose another target column.")
    resolved_task = resolve_task(y_raw, task)
    if resolved_task != "regression":
        df, y_raw, class_findings = _drop_singleton_classes(df, y_raw, target)
        findings += class_findings
    if len(df) < MIN_ROWS:
        raise DataError(f"only {len(df)} rows with a target: dlcheck needs at least {MIN_ROWS} "
                        "rows to compare models. Collect more data.")

    feature_names = [c for c in df.columns if c not in {target, time_col, group_col}]
    column_kinds = {c: infer_column_kind(df[c]) for c in feature_names}
    X, numeric, categorical, cleaned = _build_features(df, column_kinds)
    # A column of infinities only is empty once they are set aside: imputers would drop it.
    emptied = [c for c in numeric if c in column_kinds and X[c].isna().all()]
    X = X.drop(columns=emptied)
    numeric = [c for c in numeric if c not in emptied]
    column_kinds.update(dict.fromkeys(emptied, "empty"))
    dropped = {c: _DROPPED_KINDS[k] for c, k in column_kinds.items() if k in _DROPPED_KINDS}
    findings += _dropped_column_findings(column_kinds, dropped)
    findings += _cleaned_value_findings(*cleaned)
    ids = [c for c, k in column_kinds.items() if k == "id"]
    findings += _high_cardinality_findings(X, categorical)
    if X.shape[1] == 0:
        left_out = ", ".join(repr(c) for c in list(dropped)[:10]) or "none"
        raise DataError("no usable feature columns are left once ID-like, constant, empty and "
                        f"free-text columns are set aside ({left_out}"
                        f"{', ...' if len(dropped) > 10 else ''}). "
                        "Give the table some feature columns.")
    if resolved_task == "regression":
        y = pd.to_numeric(y_raw, errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(y).all():
            raise DataError(f"target {target!r} holds values that are not finite numbers: "
                            "clean them or use <task=multiclass>.")
        if np.abs(y).max() > MAX_MAGNITUDE:
            raise DataError(f"target {target!r} holds values as large as "
                            f"{np.abs(y).max():.3g}, beyond what models compute with "
                            f"(±{MAX_MAGNITUDE:.0e}): rescale it (divide it by a power of ten, "
                            "or take its log) and run again.")
        classes: list[str] = []
    else:
        try:
            labels, uniques = pd.factorize(y_raw, sort=True)
        except TypeError:  # labels of mixed types (1 and "a") do not sort: sort their text
            labels, uniques = pd.factorize(y_raw.astype(str), sort=True)
        y = labels.astype(np.int64)
        classes = [str(u) for u in uniques]

    times = None
    if time_col is not None:
        times = _time_order(df[time_col], time_col)
    groups = None
    if group_col is not None:
        missing = int(df[group_col].isna().sum())
        if missing:
            raise DataError(f"<group_col> {group_col!r} is missing in {missing} rows: fill "
                            "these group IDs or drop those rows.")
        groups = df[group_col].astype(str).to_numpy()
    return TableData(
        source_rows=df.index.to_numpy(), X=X.reset_index(drop=True), y=y, task=resolved_task,
        target=target, classes=classes,
        numeric_columns=numeric, categorical_columns=categorical,
        column_kinds=column_kinds, dropped_columns=dropped, n_rows_input=n_rows_input,
        n_columns_input=n_columns_input,
        groups=groups, times=times, findings=findings,
        dropped_values=df[ids].reset_index(drop=True) if ids else None,
    )


def require_column(df: pd.DataFrame, name: str, option: str) -> None:
    if name in df.columns:
        return
    only = str(df.columns[0])
    if df.shape[1] == 1 and name in only and set(re.findall(r"[^\w.-]", only)) - set(name):
        # "a b y" or "a:b:y": the file was read as one column, so the delimiter is not known.
        raise DataError(f"the table was read as a single column named {df.columns[0]!r}: its "
                        "delimiter is not one dlcheck knows. Save it with commas, semicolons, "
                        "tabs or | between the values.")
    close = difflib.get_close_matches(name, list(df.columns), n=3, cutoff=0.5)
    lowered = [c for c in df.columns if c.strip().lower() == name.strip().lower()]
    suggestions = lowered or close
    hint = (f" Did you mean {', '.join(repr(c) for c in suggestions)}?" if suggestions
            else f" Columns are: {', '.join(repr(c) for c in list(df.columns)[:12])}"
                 + (", ..." if df.shape[1] > 12 else "") + ".")
    raise DataError(f"{option} column {name!r} is not in the table.{hint}")


MAX_MAGNITUDE = 1e30
"""Trees and networks compute in float32, which ends at 3.4e38, and sums over a column overflow
well before (scikit-learn's trees sum the whole table in float32 to look for NaN): a value
beyond this is treated like an infinity. Such values are mostly fill codes anyway (NetCDF's
9.97e36)."""

_PLACEHOLDERS = {"", "?", "-", "--", ".", "na", "n/a", "nan", "none", "null", "nil", "missing",
                 "unknown", "#n/a", "#na"}
"""Stray text that only means 'no value': worth an info finding, not a warning (Excel's error
codes such as #VALUE! or #DIV/0! are not: a formula broke upstream)."""


def _plain(value):
    """A NumPy scalar as a plain Python value, so that messages read 1, not np.int64(1)."""
    return value.item() if isinstance(value, np.generic) else value


def _examples(strays: pd.Series, n: int = 5) -> list[str]:
    return [str(v) for v in pd.unique(strays.astype(str))[:n]]


def _unusable_cells(infinite: int, strays: pd.Series) -> str:
    parts = []
    if infinite:
        parts.append(f"{infinite} infinite")
    if len(strays):
        parts.append(f"{len(strays)} not a number, e.g. "
                     + ", ".join(repr(v) for v in _examples(strays, 3)))
    return ", ".join(parts)


def _clean_target(y: pd.Series) -> tuple[pd.Series, int, pd.Series]:
    """The target with infinities and stray text in a numeric target turned into missing
    values (those rows are left out), the number of infinities and the stray values."""
    strays = y.iloc[:0]
    if not pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
        present = y.dropna()
        if len(present) == 0 or not looks_numeric(present, strict=True):
            return y, 0, strays
        # Numbers with a few placeholders ('?', 'n/a'): the placeholders are no label.
        y = pd.to_numeric(present.astype(str).str.strip(), errors="coerce").reindex(y.index)
        strays = present[y.loc[present.index].isna()]
    if pd.api.types.is_bool_dtype(y) or not pd.api.types.is_numeric_dtype(y):
        return y, 0, strays
    infinite = np.isinf(y.to_numpy(dtype=float, na_value=np.nan))
    return y.mask(infinite), int(infinite.sum()), strays


def _drop_singleton_classes(df: pd.DataFrame, y: pd.Series, target: str):
    counts = y.value_counts()
    single = counts[counts < 2]
    if single.empty:
        return df, y, []
    keep = ~y.isin(single.index)
    named = ", ".join(repr(_plain(c)) for c in single.index[:10]) + (
        ", ..." if len(single) > 10 else "")
    if y[keep].nunique() < 2 and len(single) > 2 and pd.api.types.is_numeric_dtype(y):
        raise DataError(f"target {target!r} has {len(single)} values that occur once ({named}):"
                        " as classes, almost none could be tested. Use <task=regression> to "
                        "predict the number, or choose a target of classes.")
    if y[keep].nunique() < 2:
        raise DataError(f"target {target!r}: class(es) {named} have a single row, and "
                        "without them fewer than 2 classes remain: collect more rows of each "
                        "class, or merge rare classes into a broader one.")
    finding = Finding(
        check="singleton_classes", severity="warning",
        summary=f"{len(single)} class(es) with a single row were left out ({named}): no model "
                "can be tested on a class it has never seen.",
        evidence={"classes": [str(c) for c in single.index[:20]],
                  "rows_left_out": int(single.sum())},
        advice="Collect more rows of these classes or merge them into a broader class.",
    )
    return df.loc[keep], y[keep], [finding]


def _dropped_column_findings(kinds: dict[str, str], dropped: dict[str, str]) -> list[Finding]:
    findings = []
    for kind, check, advice in (
        ("id", "id_columns", "Keep identifiers out of the features; join on them instead."),
        ("constant", "constant_columns", "Nothing to do: a constant column cannot help."),
        ("empty", "empty_columns",
         "Check the export or the join that should have filled them; drop them otherwise."),
        ("text", "text_columns",
         "Turn free text into features (categories, counts, embeddings) if it matters."),
        ("unsupported", "unsupported_columns",
         "Flatten nested values into ordinary columns if they matter."),
    ):
        names = [c for c, k in kinds.items() if k == kind]
        if names:
            findings.append(Finding(
                check=check, severity="warning" if kind == "empty" else "info",
                summary=f"{len(names)} column(s) left out as {kind}: {', '.join(names[:10])}"
                        + (" ..." if len(names) > 10 else ""),
                evidence={"columns": names, "reason": dropped[names[0]]},
                advice=advice,
            ))
    return findings


def _build_features(df: pd.DataFrame, kinds: dict[str, str]):
    parts: dict[str, pd.Series] = {}
    numeric: list[str] = []
    categorical: list[str] = []
    infinite: dict[str, int] = {}
    too_large: set[str] = set()
    strays: dict[str, pd.Series] = {}
    for name, kind in kinds.items():
        col = df[name]
        if kind == "numeric":
            values = _as_numbers(col)
            # Text that is no number ('oops', '#VALUE!') becomes missing, with a finding.
            bad = col.notna() & values.isna()
            if bad.any():
                strays[name] = col[bad]
            magnitude = np.abs(values.to_numpy())
            is_inf = magnitude > MAX_MAGNITUDE  # NaN compares False
            if is_inf.any():
                infinite[name] = int(is_inf.sum())
                if np.isfinite(magnitude[is_inf]).any():
                    too_large.add(name)
            parts[name] = values.mask(is_inf)
            numeric.append(name)
        elif kind == "boolean":
            parts[name] = _boolean_as_float(col)
            numeric.append(name)
        elif kind == "datetime":
            for part_name, values in _datetime_parts(name, col).items():
                while part_name in parts or part_name in kinds:  # a column of that name exists
                    part_name += "_"
                parts[part_name] = values
                numeric.append(part_name)
        elif kind == "categorical":
            # Plain strings with NaN: pd.NA and categorical dtypes trip the imputers.
            text = np.where(col.isna(), np.nan, col.astype(object).astype(str))
            parts[name] = pd.Series(text, index=col.index, dtype=object)
            categorical.append(name)
    cleaned = (infinite, too_large, strays)
    return pd.DataFrame(parts, index=df.index), numeric, categorical, cleaned


def _as_numbers(col: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return pd.to_numeric(col, errors="coerce").astype(float)
    text = col.astype(str).str.strip().where(col.notna())
    return pd.to_numeric(text, errors="coerce").astype(float)


def _cleaned_value_findings(infinite: dict[str, int], too_large: set[str],
                            strays: dict[str, pd.Series]) -> list[Finding]:
    findings = []
    if infinite:
        total = sum(infinite.values())
        what = (f"infinite or too large (beyond ±{MAX_MAGNITUDE:.0e}, where the float32 sums of "
                "trees and networks overflow)" if too_large else "infinite")
        findings.append(Finding(
            check="infinite_values", severity="warning",
            summary=f"{total} {what} value(s) in {len(infinite)} column(s) were treated as "
                    "missing: " + _counts_text(infinite) + ".",
            evidence={"cells": total, "columns": infinite, "too_large_in": sorted(too_large)},
            advice="Infinities usually come from a division by zero upstream: fix them at the "
                   "source, or confirm that treating them as missing is right.",
        ))
    if strays:
        counts = {name: len(values) for name, values in strays.items()}
        examples = {name: _examples(values) for name, values in strays.items()}
        placeholders_only = all(str(v).strip().lower() in _PLACEHOLDERS
                                for values in strays.values() for v in values.unique())
        findings.append(Finding(
            check="non_numeric_values", severity="info" if placeholders_only else "warning",
            summary=f"{sum(counts.values())} cell(s) that are not numbers in {len(counts)} "
                    "numeric column(s) were treated as missing: " + _counts_text(
                        counts, {n: f"e.g. {e[0]!r}" for n, e in examples.items()}) + ".",
            evidence={"cells": sum(counts.values()), "columns": counts, "examples": examples},
            advice="Clean these cells (a typo, a unit, an export error) if they hold a value; "
                   "placeholders for 'unknown' can stay.",
        ))
    return findings


def _counts_text(counts: dict[str, int], notes: dict[str, str] | None = None) -> str:
    shown = sorted(counts, key=counts.get, reverse=True)
    parts = [f"{name} ({counts[name]}" + (f", {notes[name]}" if notes else "") + ")"
             for name in shown[:10]]
    return ", ".join(parts) + (", ..." if len(shown) > 10 else "")


def _high_cardinality_findings(X: pd.DataFrame, categorical: list[str]) -> list[Finding]:
    levels = {name: int(X[name].nunique()) for name in categorical}
    many = {name: n for name, n in levels.items() if n > MAX_EMBEDDED_CATEGORIES}
    if not many:
        return []
    return [Finding(
        check="high_cardinality", severity="info",
        summary=f"{len(many)} categorical column(s) with more than {MAX_EMBEDDED_CATEGORIES} "
                "levels: " + _counts_text(many) + f". Linear models one-hot encode the "
                f"{MAX_ONE_HOT_CATEGORIES - 1} most frequent levels, networks embed the "
                f"{MAX_EMBEDDED_CATEGORIES - 1} most frequent, trees use codes; rarer levels "
                "are pooled.",
        evidence={"levels": many, "one_hot_levels": MAX_ONE_HOT_CATEGORIES - 1,
                  "embedded_levels": MAX_EMBEDDED_CATEGORIES - 1},
        advice="If the levels are identifiers (a customer, a product), leave the column out "
               "or replace it with features about the entity; if they are codes with "
               "structure, group them into broader levels.",
    )]


def _boolean_as_float(col: pd.Series) -> pd.Series:
    values = col.dropna()
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        ordered = sorted(values.unique())
    else:
        truthy = {"true", "yes", "y", "t"}
        ordered = sorted(values.unique(), key=lambda v: (str(v).lower() in truthy, str(v)))
    return col.map({ordered[0]: 0.0, ordered[-1]: 1.0}).astype(float)


def _datetime_parts(name: str, col: pd.Series) -> dict[str, pd.Series]:
    stamps = parse_datetimes(col)
    parts = {
        f"{name}__days": (stamps - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400.0,
        f"{name}__year": stamps.dt.year.astype(float),
        f"{name}__month": stamps.dt.month.astype(float),
        f"{name}__dayofweek": stamps.dt.day_of_week.astype(float),
        f"{name}__dayofmonth": stamps.dt.day.astype(float),
    }
    if (stamps.dt.hour.fillna(0) != 0).any():
        parts[f"{name}__hour"] = stamps.dt.hour.astype(float)
    return {k: v for k, v in parts.items() if v.nunique() > 1}


def _time_order(col: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(col):
        values = col.to_numpy(dtype=float)
    else:
        stamps = parse_datetimes(col)
        values = (stamps - pd.Timestamp("1970-01-01")).dt.total_seconds().to_numpy()
    if np.isnan(values).any():
        raise DataError(f"<time_col> {name!r} has missing or unparseable values: fill them or "
                        "drop those rows.")
    return values

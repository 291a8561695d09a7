"""Turn a raw table into model-ready features, a target and the facts about both."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dlcheck._config import MIN_ROWS
from dlcheck.data.profile import Task, infer_column_kind, parse_datetimes, resolve_task
from dlcheck.errors import DataError
from dlcheck.findings import Finding

_DROPPED_KINDS = {
    "id": "ID-like: nearly every value is unique, so it identifies rows rather than "
          "describing them",
    "constant": "constant: a single value (or none) carries no information",
    "text": "free text: text features are not modelled yet",
    "unsupported": "unsupported: cells hold lists or objects, not values",
}


@dataclass
class PreparedData:
    """Features and target ready for the benchmark, plus what was done to get there."""

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
) -> PreparedData:
    """Validate the table and build features; raise DataError on input no benchmark can use."""
    if df.columns.duplicated().any():
        dupes = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise DataError(f"duplicate column names: {', '.join(dupes)}. Rename them so that "
                        "every column has its own name.")
    # Index = row number in the user's table, carried through every row filter below.
    df = df.rename(columns=str).reset_index(drop=True)
    target = str(target)
    time_col = None if time_col is None else str(time_col)
    group_col = None if group_col is None else str(group_col)
    if time_col is not None and group_col is not None:
        raise DataError("--time-col and --group-col cannot be combined yet: choose the one "
                        "that matches how the model will be used.")
    _require_column(df, target, "--target")
    for option, col in (("--time-col", time_col), ("--group-col", group_col)):
        if col is not None:
            _require_column(df, col, option)
            if col == target:
                raise DataError(f"{option} {col!r} is the target: choose another column.")

    findings: list[Finding] = []
    n_rows_input, n_columns_input = df.shape
    missing_target = df[target].isna()
    if missing_target.all():
        raise DataError(f"target {target!r} is empty in every row: choose a column with values.")
    if missing_target.any():
        findings.append(Finding(
            check="missing_target", severity="warning",
            summary=f"{int(missing_target.sum())} rows without a target value were left out.",
            evidence={"rows_left_out": int(missing_target.sum())},
            advice="Label these rows or confirm that leaving them out is right.",
        ))
        df = df.loc[~missing_target]
    y_raw = df[target]
    if y_raw.nunique() < 2:
        raise DataError(f"target {target!r} has a single value ({y_raw.iloc[0]!r}): there is "
                        "nothing to predict. Choose another target column.")
    resolved_task = resolve_task(y_raw, task)
    if resolved_task != "regression":
        df, y_raw, class_findings = _drop_singleton_classes(df, y_raw)
        findings += class_findings
    if len(df) < MIN_ROWS:
        raise DataError(f"only {len(df)} rows with a target: dlcheck needs at least {MIN_ROWS} "
                        "rows to compare models. Collect more data.")

    feature_names = [c for c in df.columns if c not in {target, time_col, group_col}]
    column_kinds = {c: infer_column_kind(df[c]) for c in feature_names}
    dropped = {c: _DROPPED_KINDS[k] for c, k in column_kinds.items() if k in _DROPPED_KINDS}
    findings += _dropped_column_findings(column_kinds, dropped)
    ids = [c for c, k in column_kinds.items() if k == "id"]

    X, numeric, categorical = _build_features(df, column_kinds)
    if X.shape[1] == 0:
        raise DataError("no usable feature columns are left once ID-like, constant and "
                        f"free-text columns are set aside ({', '.join(dropped) or 'none'}). "
                        "Give the table some feature columns.")
    if resolved_task == "regression":
        y = pd.to_numeric(y_raw, errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(y).all():
            raise DataError(f"target {target!r} holds values that are not finite numbers: "
                            "clean them or use --task multiclass.")
        classes: list[str] = []
    else:
        labels, uniques = pd.factorize(y_raw, sort=True)
        y = labels.astype(np.int64)
        classes = [str(u) for u in uniques]

    times = None
    if time_col is not None:
        times = _time_order(df[time_col], time_col)
    groups = None
    if group_col is not None:
        missing = int(df[group_col].isna().sum())
        if missing:
            raise DataError(f"--group-col {group_col!r} is missing in {missing} rows: fill "
                            "these group IDs or drop those rows.")
        groups = df[group_col].astype(str).to_numpy()
    return PreparedData(
        source_rows=df.index.to_numpy(), X=X.reset_index(drop=True), y=y, task=resolved_task,
        target=target, classes=classes,
        numeric_columns=numeric, categorical_columns=categorical,
        column_kinds=column_kinds, dropped_columns=dropped, n_rows_input=n_rows_input,
        n_columns_input=n_columns_input,
        groups=groups, times=times, findings=findings,
        dropped_values=df[ids].reset_index(drop=True) if ids else None,
    )


def _require_column(df: pd.DataFrame, name: str, option: str) -> None:
    if name in df.columns:
        return
    close = difflib.get_close_matches(name, list(df.columns), n=3, cutoff=0.5)
    lowered = [c for c in df.columns if c.lower() == name.lower()]
    suggestions = lowered or close
    hint = (f" Did you mean {', '.join(repr(c) for c in suggestions)}?" if suggestions
            else f" Columns are: {', '.join(list(df.columns)[:12])}"
                 + (", ..." if df.shape[1] > 12 else "") + ".")
    raise DataError(f"{option} column {name!r} is not in the table.{hint}")


def _drop_singleton_classes(df: pd.DataFrame, y: pd.Series):
    counts = y.value_counts()
    single = counts[counts < 2]
    if single.empty:
        return df, y, []
    keep = ~y.isin(single.index)
    if y[keep].nunique() < 2:
        raise DataError("after leaving out classes with a single row, fewer than 2 classes "
                        "remain: collect more rows of each class.")
    finding = Finding(
        check="singleton_classes", severity="warning",
        summary=f"{len(single)} classes with a single row were left out: no model can be "
                "tested on a class it has never seen.",
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
        ("text", "text_columns",
         "Turn free text into features (categories, counts, embeddings) if it matters."),
        ("unsupported", "unsupported_columns",
         "Flatten nested values into ordinary columns if they matter."),
    ):
        names = [c for c, k in kinds.items() if k == kind]
        if names:
            findings.append(Finding(
                check=check, severity="info",
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
    for name, kind in kinds.items():
        col = df[name]
        if kind == "numeric":
            values = pd.to_numeric(col, errors="coerce").astype(float)
            parts[name] = values.replace([np.inf, -np.inf], np.nan)
            numeric.append(name)
        elif kind == "boolean":
            parts[name] = _boolean_as_float(col)
            numeric.append(name)
        elif kind == "datetime":
            for part_name, values in _datetime_parts(name, col).items():
                parts[part_name] = values
                numeric.append(part_name)
        elif kind == "categorical":
            # Plain strings with NaN: pd.NA and categorical dtypes trip the imputers.
            text = np.where(col.isna(), np.nan, col.astype(object).astype(str))
            parts[name] = pd.Series(text, index=col.index, dtype=object)
            categorical.append(name)
    return pd.DataFrame(parts, index=df.index), numeric, categorical


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
        raise DataError(f"--time-col {name!r} has missing or unparseable values: fill them or "
                        "drop those rows.")
    return values

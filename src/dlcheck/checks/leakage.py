"""Target leakage: a single column that predicts the target too well, identifiers that predict
it at all, and rows that sit in both the training and the test part of a fold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from sklearn.metrics import r2_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from dlcheck.benchmark.scoring import METRICS
from dlcheck.benchmark.splits import Fold
from dlcheck.benchmark.stats import corrected_t_interval
from dlcheck.checks.base import CheckContext
from dlcheck.data.prepare import PreparedData
from dlcheck.findings import Finding, rounded


@dataclass(frozen=True)
class GoldenFeature:
    """Fits a small tree on each column alone, on the benchmark's folds."""

    code: ClassVar[str] = "leakage_single_feature"
    title: ClassVar[str] = "A single feature predicts too well"
    blocking_score: float = 0.99
    """ROC-AUC (classification) or R² (regression) of one column alone that means leakage."""
    warning_share_of_best: float = 0.98
    """One column reaching this share of the best model's score deserves a look."""
    max_depth: int = 6

    def run(self, context: CheckContext) -> list[Finding]:
        prepared, results = context.prepared, context.results
        folds = results.split.first_repeat
        best = results.best()
        best_score = best.secondary.get("r2", best.mean) if prepared.task == "regression" \
            else best.mean
        scores = {col: self._single_feature_score(context, col, folds) for col in prepared.X}
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        leaks = [(c, s) for c, s in ranked if s >= self.blocking_score]
        score_name = "r2" if prepared.task == "regression" else "roc_auc"
        if leaks:
            names = ", ".join(f"{c!r} ({score_name} {s:.3f})" for c, s in leaks[:5])
            return [Finding(
                self.code, "critical",
                f"Column(s) {names} alone predict the target almost perfectly: this is "
                "usually target leakage (information recorded after the outcome).",
                {"columns": {c: round(s, 4) for c, s in leaks}, "metric": score_name,
                 "threshold": self.blocking_score},
                "Check that these columns exist at prediction time and are not derived from "
                "the target; drop them and run dlcheck again.",
                blocking=True,
            )]
        top_col, top_score = ranked[0]
        if best_score > 0 and top_score >= self.warning_share_of_best * best_score \
                and top_score > (0.5 if score_name == "roc_auc" else 0.0) + 0.2:
            return [Finding(
                self.code, "warning",
                f"Column {top_col!r} alone reaches {score_name} {top_score:.3f}, "
                f"{top_score / best_score:.0%} of the best model ({best.name}).",
                {"column": top_col, "score": round(top_score, 4), "metric": score_name,
                 "best_model_score": round(best_score, 4)},
                "Make sure this column is known at prediction time; if so, the problem may "
                "need no complex model at all.",
            )]
        return []

    def _single_feature_score(self, context: CheckContext, column: str, folds) -> float:
        values = context.prepared.X[column]
        if values.dtype == object:  # categories: codes by order of first appearance
            values = pd.Series(pd.factorize(values)[0], index=values.index).where(values.notna())
        return float(np.nanmean(single_feature_scores(
            values.to_numpy(dtype=float), context.prepared, folds, context.seed, self.max_depth)))


def single_feature_scores(x: np.ndarray, prepared: PreparedData, folds: list[Fold],
                          seed: int = 0, max_depth: int = 6) -> np.ndarray:
    """Per fold, how well a small tree on one column alone predicts the target: ROC-AUC
    (classification, chance 0.5) or R² (regression, chance 0). `x` holds numbers, NaN where
    missing; a fold whose score is undefined gives NaN."""
    x = np.asarray(x, dtype=float).reshape(-1, 1)
    y = prepared.y
    scores = []
    for fold in folds:
        if prepared.task == "regression":
            model = DecisionTreeRegressor(max_depth=max_depth, min_samples_leaf=5,
                                          random_state=seed)
            model.fit(x[fold.train], y[fold.train])
            scores.append(r2_score(y[fold.test], model.predict(x[fold.test])))
            continue
        model = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=5,
                                       random_state=seed)
        model.fit(x[fold.train], y[fold.train])
        proba = np.zeros((len(fold.test), len(prepared.classes)))
        proba[:, model.classes_] = model.predict_proba(x[fold.test])
        try:
            scores.append(METRICS["roc_auc"].fn(y[fold.test], proba, len(prepared.classes)))
        except ValueError:  # a single class in this test fold
            scores.append(float("nan"))
    return np.asarray(scores, dtype=float)


@dataclass(frozen=True)
class DuplicatesAcrossFolds:
    code: ClassVar[str] = "leakage_duplicates"
    title: ClassVar[str] = "Duplicate rows across training and test folds"
    blocking_share: float = 0.10
    """Share of test rows that also appear in training at which every score is inflated."""
    warning_share: float = 0.01

    def run(self, context: CheckContext) -> list[Finding]:
        prepared = context.prepared
        row_hash = pd.util.hash_pandas_object(prepared.X, index=False).to_numpy()
        folds = context.results.split.first_repeat
        duplicated_test_rows: set[int] = set()
        for fold in folds:
            seen = set(row_hash[fold.train].tolist())
            duplicated_test_rows.update(int(i) for i in fold.test if row_hash[i] in seen)
        n_test = sum(len(f.test) for f in folds)
        share = len(duplicated_test_rows) / max(n_test, 1)
        if share < self.warning_share:
            return []
        blocking = share >= self.blocking_share
        return [Finding(
            self.code, "critical" if blocking else "warning",
            f"{share:.1%} of test rows ({len(duplicated_test_rows):,}) have an exact copy of "
            "their features in the training part of the same fold: models are partly scored "
            "on rows they have seen.",
            {"share_of_test_rows": round(share, 4), "rows": len(duplicated_test_rows),
             "example_rows": sorted(duplicated_test_rows)[:20],
             "threshold_blocking": self.blocking_share},
            "Remove duplicate rows, or group them with --group-col so copies stay in one fold.",
            blocking=blocking,
        )]


@dataclass(frozen=True)
class IdentifierColumns:
    """Identifiers should predict nothing. Scores each ID-like column alone with a small tree
    on the benchmark's folds, as GoldenFeature does: the columns the profile left out as
    ID-like (their values in the order they were handed out) and the kept columns that look
    like a numbering of the rows (unique integers that fill most of their range, or unique
    categories).

    A kept numbering that predicts near-perfectly blocks (the models use it: leakage); one that
    predicts less is a warning. A left-out ID that predicts is a warning, never blocking: no
    model saw it, but it says the rows were numbered in an order tied to the outcome, usually
    time."""

    code: ClassVar[str] = "leakage_id_columns"
    title: ClassVar[str] = "Identifier columns that predict the target"
    min_lift: float = 0.05
    """ROC-AUC above 0.5 (R² above 0) from an identifier alone at which it predicts, provided
    the corrected interval over folds excludes chance too: below it, noise."""
    alpha: float = 0.01
    """1 - coverage of that interval: stricter than the usual 0.05, since an identifier is
    tested on every table that has one, small ones included."""
    blocking_score: float = 0.99
    """ROC-AUC or R² of a kept identifier alone that means leakage (as GoldenFeature)."""
    near_unique_share: float = 0.95
    """Share of distinct values from which a kept column may be a numbering of the rows."""
    min_fill: float = 0.5
    """Distinct integers / (max - min + 1) from which unique integers are a numbering: a
    numbering fills its range, a measurement such as an income in dollars does not."""
    min_rows: int = 50
    """Fewer filled rows than this: a kept column is not read as a numbering (the profile
    drops IDs from the same count)."""
    max_columns: int = 20
    """At most this many identifiers are scored (left-out ones first): the cost stays small."""
    max_depth: int = 6
    """Depth of the one-column tree, as GoldenFeature's."""

    def run(self, context: CheckContext) -> list[Finding]:
        prepared, results = context.prepared, context.results
        candidates: list[tuple[str, np.ndarray, bool]] = []
        if prepared.dropped_values is not None:
            candidates += [(c, identifier_order(prepared.dropped_values[c]), False)
                           for c in prepared.dropped_values.columns]
        candidates += [(c, identifier_order(prepared.X[c]), True) for c in prepared.X
                       if self._is_numbering(prepared, c)]
        if not candidates:
            return []
        regression = prepared.task == "regression"
        chance, score_name = (0.0, "r2") if regression else (0.5, "roc_auc")
        folds = results.split.first_repeat
        ratio = float(np.mean([len(f.test) / len(f.train) for f in folds]))
        measured = {}
        for name, x, kept in candidates[:self.max_columns]:
            scores = single_feature_scores(x, prepared, folds, context.seed, self.max_depth)
            scores = scores[np.isfinite(scores)]
            if len(scores) == 0:
                continue
            interval = corrected_t_interval(scores - chance, ratio, self.alpha)
            mean = float(scores.mean())
            measured[name] = {
                "kept": kept, "score": round(mean, 4),
                "ci_low": rounded(interval.ci_low + chance),
                "ci_high": rounded(interval.ci_high + chance),
                "fold_scores": [round(float(s), 4) for s in scores],
                "predicts": (mean - chance >= self.min_lift and interval.ci_low > 0)
                or mean >= self.blocking_score,
            }
        base = {"metric": score_name, "chance": chance, "min_lift": self.min_lift,
                "threshold_blocking": self.blocking_score, "n_folds": len(folds)}

        def listed(cols: dict) -> str:
            return ", ".join(f"{c!r} ({score_name} {m['score']:.3f})"
                             for c, m in list(cols.items())[:5])

        predicting = {c: m for c, m in measured.items() if m["predicts"]}
        leaks = {c: m for c, m in predicting.items()
                 if m["kept"] and m["score"] >= self.blocking_score}
        used = {c: m for c, m in predicting.items() if m["kept"] and c not in leaks}
        dropped = {c: m for c, m in predicting.items() if not m["kept"]}
        findings = []
        if leaks:
            findings.append(Finding(
                self.code, "critical",
                f"Column(s) {listed(leaks)} number the rows like an identifier (nearly every "
                "value unique) and alone predict the target almost perfectly: the numbering "
                "follows the outcome (rows numbered after sorting by it), and the models use "
                "that number. This is target leakage.",
                {**base, "columns": leaks},
                "Drop these columns (an identifier tells nothing about new rows) and run "
                "dlcheck again; find out how the numbering was made.",
                blocking=True,
            ))
        if used:
            findings.append(Finding(
                self.code, "warning",
                f"Column(s) {listed(used)} number the rows like an identifier and still predict "
                f"the target (chance is {chance:g}): the rows were numbered in an order tied to "
                "the outcome, usually time, and the models can use that order.",
                {**base, "columns": used},
                "Drop the numbering from the features. If it follows time, rerun with "
                "--time-col so that models are tested on later rows; if it numbers entities "
                "with several rows (customers, patients), use --group-col.",
            ))
        if dropped:
            findings.append(Finding(
                self.code, "warning",
                f"Column(s) {listed(dropped)}, left out as ID-like, still predict the target "
                f"alone (chance is {chance:g}): the rows were numbered in an order tied to the "
                "outcome, in time order while the target drifts or after sorting by the "
                "outcome. No model saw these columns, but other columns may carry the same "
                "order.",
                {**base, "columns": dropped},
                ("The benchmark already tests on later periods (--time-col); "
                 if prepared.times is not None else
                 "If the numbering follows time, rerun with --time-col so that models are "
                 "tested on later rows (a shuffled split overstates what they do on future "
                 "rows); ") + "if it numbers entities with several rows (customers, patients), use "
                "--group-col. If the table was sorted by outcome before numbering, check that "
                "no feature was derived the same way.",
            ))
        return findings

    def _is_numbering(self, prepared: PreparedData, column: str) -> bool:
        kind = prepared.column_kinds.get(column)
        values = prepared.X[column].dropna()
        n = len(values)
        if kind not in ("numeric", "categorical") or n < self.min_rows:
            return False
        n_unique = values.nunique()
        if n_unique / n < self.near_unique_share:
            return False
        if kind == "categorical":
            return True
        numbers = values.to_numpy(dtype=float)
        if not np.all(np.mod(numbers, 1) == 0):
            return False
        return n_unique / (numbers.max() - numbers.min() + 1) >= self.min_fill


_DIGITS = re.compile(r"(\d+)")


def identifier_order(values: pd.Series) -> np.ndarray:
    """Identifiers as numbers that keep the order they were handed out in: numbers as they
    are; text in natural order ('A2' before 'A10'); NaN where missing."""
    present = values.notna()
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().sum() >= 0.95 * present.sum():
        return numbers.to_numpy(dtype=float)
    text = values[present].astype(str)

    def natural(v: str) -> list[tuple[int, int, str]]:
        return [(0, int(c), "") if c.isdigit() else (1, 0, c) for c in _DIGITS.split(v) if c]

    rank = {v: float(i) for i, v in enumerate(sorted(text.unique(), key=natural))}
    out = np.full(len(values), np.nan)
    out[present.to_numpy()] = text.map(rank).to_numpy(dtype=float)
    return out

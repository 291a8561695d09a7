"""Target leakage: a single column that predicts the target too well, identifiers that predict
it at all, and rows that sit in both the training and the test part of a fold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import r2_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from threadpoolctl import threadpool_limits

from dlcheck.benchmark.compare import CLASSICAL, resolve_min_gain
from dlcheck.benchmark.scoring import METRICS
from dlcheck.benchmark.splits import Fold
from dlcheck.benchmark.stats import corrected_t_interval, goodness_sign
from dlcheck.checks.base import IMAGES, MEMORISING_FAMILIES, TABLES, CheckContext
from dlcheck.checks.image_duplicates import image_twin_findings
from dlcheck.data.tabular.prepare import TableData
from dlcheck.findings import Finding, rounded


@dataclass(frozen=True)
class GoldenFeature:
    """Fits a small tree on each column alone, on the benchmark's folds, and scores it two
    ways: ROC-AUC (R² for regression), and skill on the rows themselves.

    A leaked column that copies the label with a few values corrupted stays right on almost
    every row, while its ROC-AUC sits below 0.99; a legitimately dominant feature with a
    smooth effect (a credit balance) ranks rows as well yet stays uncertain over a wide band.
    Skill tells them apart: for classes, the one-column tree's out-of-fold balanced accuracy
    rescaled so that chance is 0 and perfect is 1, (BA - 1/k) / (1 - 1/k), which is Youden's
    J for two classes (Youden 1950), with each row given the class of highest probability
    relative to its training share (what maximises balanced accuracy); for regression,
    1 - median |error| / median |y - median(y)|, which a column that predicts most rows
    almost exactly drives to 1 whatever a few corrupted rows do to R².

    A near-deterministic column blocks only when the other columns together make at least
    twice its errors: a leak carries what the table does not otherwise know, while a problem
    that is simply easy (iris's petal widths and lengths) is as easy without the column."""

    code: ClassVar[str] = "leakage_single_feature"
    title: ClassVar[str] = "A single feature predicts too well"
    kinds: ClassVar[frozenset[str]] = TABLES
    blocking_score: float = 0.99
    """ROC-AUC (classification) or R² (regression) of one column alone that means leakage."""
    blocking_skill: float = 0.9
    """Skill of one column alone (Youden's J / its multiclass rescaling; the median-error skill
    for regression) from which it is near-deterministic: right on almost every row."""
    max_error_ratio_to_rest: float = 0.5
    """A near-deterministic column blocks when its errors (1 - skill) are at most this share
    of those of all other columns together (1 - their skill)."""
    warning_share_of_best: float = 0.98
    """One column reaching this share of the best model's score deserves a look."""
    max_depth: int = 6
    max_rest_rows: int = 20_000
    """Training rows per fold, at most, of the model of the other columns (a cost bound)."""
    max_rest_checks: int = 5
    """Near-deterministic columns compared with the rest, at most, highest skill first (a cost
    bound: five boosted fits each)."""

    def run(self, context: CheckContext) -> list[Finding]:
        prepared, results = context.dataset, context.results
        folds = results.split.first_repeat
        best = results.best()
        best_score = best.secondary.get("r2", best.mean) if prepared.task == "regression" \
            else best.mean
        measured = {col: self._measure(context, col, folds) for col in prepared.X}
        scores = {c: m[0] for c, m in measured.items()}
        skills = {c: m[1] for c, m in measured.items()}
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        score_name = "r2" if prepared.task == "regression" else "roc_auc"
        leaks = {c: s for c, s in ranked if s >= self.blocking_score}
        near = [c for c, s in sorted(skills.items(), key=lambda kv: -kv[1])
                if c not in leaks and s >= self.blocking_skill]
        # The rest leaves out every suspect column: two copies of one leak must not excuse
        # each other.
        suspects = set(leaks) | set(near)
        rest = {c: rest_skill(prepared, c, folds, context.seed, self.max_rest_rows,
                              exclude=suspects) for c in near[:self.max_rest_checks]}
        deterministic = {c: r for c, r in rest.items()
                         if 1 - skills[c] <= self.max_error_ratio_to_rest * (1 - r)}
        if leaks or deterministic:
            return [self._blocking(score_name, scores, skills, leaks, deterministic)]
        top_col, top_score = ranked[0]
        if best_score > 0 and top_score >= self.warning_share_of_best * best_score \
                and top_score > (0.5 if score_name == "roc_auc" else 0.0) + 0.2:
            return [Finding(
                self.code, "warning",
                f"Column {top_col!r} alone reaches {score_name} {top_score:.3f}, "
                f"{top_score / best_score:.0%} of the best model ({best.name}).",
                {"column": top_col, "score": round(top_score, 4), "metric": score_name,
                 "best_model_score": round(best_score, 4), "skill": rounded(skills[top_col]),
                 "skill_of_other_columns": rounded(rest.get(top_col))},
                "Make sure this column is known at prediction time; if so, the problem may "
                "need no complex model at all.",
            )]
        return []

    def _blocking(self, score_name: str, scores: dict, skills: dict, leaks: dict,
                  deterministic: dict) -> Finding:
        parts = []
        if leaks:
            names = ", ".join(f"{c!r} ({score_name} {s:.3f})" for c, s in list(leaks.items())[:5])
            parts.append(f"Column(s) {names} alone predict the target almost perfectly")
        if deterministic:
            names = ", ".join(f"{c!r} (skill {skills[c]:.3f}, the other columns together "
                              f"{r:.3f})" for c, r in list(deterministic.items())[:5])
            parts.append(f"column(s) {names} alone are right on almost every row, with at "
                         "most half the errors of everything else in the table")
        summary = "; ".join(parts)
        columns = {c: round(scores[c], 4) for c in [*leaks, *deterministic]}
        return Finding(
            self.code, "critical",
            summary[0].upper() + summary[1:] + ": this is usually target leakage (information "
            "recorded after the outcome).",
            {"columns": columns, "metric": score_name, "threshold": self.blocking_score,
             "skill": {c: rounded(skills[c]) for c in columns},
             "skill_of_other_columns": {c: rounded(r) for c, r in deterministic.items()},
             "threshold_skill": self.blocking_skill,
             "max_error_ratio_to_rest": self.max_error_ratio_to_rest},
            "Check that these columns exist at prediction time and are not derived from "
            "the target; drop them and run dlcheck again.",
            blocking=True,
        )

    def _measure(self, context: CheckContext, column: str, folds) -> tuple[float, float]:
        """The column's mean score over folds and its out-of-fold skill."""
        x = as_numbers(context.dataset.X[column])
        oof = single_feature_oof(x, context.dataset, folds, context.seed, self.max_depth)
        score = float(np.nanmean(fold_scores(oof, context.dataset, folds)))
        return score, prediction_skill(oof, context.dataset, folds)


def as_numbers(values: pd.Series) -> np.ndarray:
    """A column as numbers for a tree: categories as codes by order of first appearance; NaN
    where missing."""
    if values.dtype == object:
        values = pd.Series(pd.factorize(values)[0], index=values.index).where(values.notna())
    return values.to_numpy(dtype=float)


def single_feature_oof(x: np.ndarray, prepared: TableData, folds: list[Fold],
                       seed: int = 0, max_depth: int = 6) -> np.ndarray:
    """Out-of-fold predictions of a small tree on one column alone: class probabilities
    (n_rows, n_classes) or values (n_rows, 1); NaN for rows no test fold holds."""
    x = np.asarray(x, dtype=float).reshape(-1, 1)
    y = prepared.y
    regression = prepared.task == "regression"
    oof = np.full((len(y), 1 if regression else len(prepared.classes)), np.nan)
    for fold in folds:
        if regression:
            model = DecisionTreeRegressor(max_depth=max_depth, min_samples_leaf=5,
                                          random_state=seed)
            model.fit(x[fold.train], y[fold.train])
            oof[fold.test, 0] = model.predict(x[fold.test])
            continue
        model = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=5,
                                       random_state=seed)
        model.fit(x[fold.train], y[fold.train])
        oof[fold.test] = 0.0
        oof[np.ix_(fold.test, model.classes_)] = model.predict_proba(x[fold.test])
    return oof


def fold_scores(oof: np.ndarray, prepared: TableData, folds: list[Fold]) -> np.ndarray:
    """Per fold, ROC-AUC (classification, chance 0.5) or R² (regression, chance 0) of
    out-of-fold predictions; NaN where undefined (a single class in a test fold)."""
    y = prepared.y
    scores = []
    for fold in folds:
        if prepared.task == "regression":
            scores.append(r2_score(y[fold.test], oof[fold.test, 0]))
            continue
        try:
            scores.append(METRICS["roc_auc"].fn(y[fold.test], oof[fold.test],
                                                len(prepared.classes)))
        except ValueError:  # a single class in this test fold
            scores.append(float("nan"))
    return np.asarray(scores, dtype=float)


def single_feature_scores(x: np.ndarray, prepared: TableData, folds: list[Fold],
                          seed: int = 0, max_depth: int = 6) -> np.ndarray:
    """Per fold, how well a small tree on one column alone predicts the target: ROC-AUC
    (classification, chance 0.5) or R² (regression, chance 0). `x` holds numbers, NaN where
    missing; a fold whose score is undefined gives NaN."""
    return fold_scores(single_feature_oof(x, prepared, folds, seed, max_depth), prepared, folds)


def prediction_skill(oof: np.ndarray, prepared: TableData, folds: list[Fold]) -> float:
    """Skill of out-of-fold predictions on the rows: 0 at chance, 1 when every row is right.

    Classes: balanced accuracy rescaled, (BA - 1/k) / (1 - 1/k) (Youden's J for two classes),
    each row given the class of highest probability over its share of the fold's training
    rows (the decision that maximises balanced accuracy). Regression: 1 - median |error| /
    median |y - median(y)|."""
    covered = np.isfinite(oof).all(axis=1)
    y = prepared.y
    if prepared.task == "regression":
        spread = np.median(np.abs(y[covered] - np.median(y[covered])))
        error = np.median(np.abs(y[covered] - oof[covered, 0]))
        return float(1.0 - error / spread) if spread > 0 else float("nan")
    k = len(prepared.classes)
    predicted = np.full(len(y), -1)
    for fold in folds:
        prior = np.bincount(y[fold.train], minlength=k) / len(fold.train)
        predicted[fold.test] = np.argmax(oof[fold.test] / np.maximum(prior, 1e-12), axis=1)
    present = [c for c in range(k) if np.any(y[covered] == c)]
    recall = [np.mean(predicted[covered][y[covered] == c] == c) for c in present]
    chance = 1.0 / max(len(present), 2)
    return float((np.mean(recall) - chance) / (1.0 - chance))


def rest_skill(prepared: TableData, column: str, folds: list[Fold], seed: int = 0,
               max_rows: int = 20_000, exclude: set[str] = frozenset()) -> float:
    """Skill (as `prediction_skill`) of gradient-boosted trees on every column but `column`
    and those in `exclude`, on the same folds: what the rest of the table knows. 0 when no
    other column exists."""
    others = [c for c in prepared.X if c != column and c not in exclude]
    if not others:
        return 0.0
    X = np.column_stack([as_numbers(prepared.X[c]) for c in others])
    y, regression = prepared.y, prepared.task == "regression"
    oof = np.full((len(y), 1 if regression else len(prepared.classes)), np.nan)
    rng = np.random.default_rng(seed)
    # One thread: the boosting's OpenMP pool would otherwise fight the benchmark's workers.
    with threadpool_limits(limits=1, user_api="openmp"):
        for fold in folds:
            train = fold.train if len(fold.train) <= max_rows else \
                rng.choice(fold.train, max_rows, replace=False)
            if regression:
                model = HistGradientBoostingRegressor(random_state=seed).fit(X[train], y[train])
                oof[fold.test, 0] = model.predict(X[fold.test])
                continue
            model = HistGradientBoostingClassifier(random_state=seed).fit(X[train], y[train])
            oof[fold.test] = 0.0
            oof[np.ix_(fold.test, model.classes_)] = model.predict_proba(X[fold.test])
    return prediction_skill(oof, prepared, folds)


@dataclass(frozen=True)
class DuplicatesAcrossFolds:
    """Rows of a test fold whose features also occur in the training part of the fold.

    Repeated feature rows are not leakage by themselves: a table of a few coarse columns must
    repeat them, and a new row will find its twins in the training data just as a test row
    does. Copies leak when they are more than the columns allow by chance (a bad join, a file
    read twice) and when they move the scores. So the check measures, per test row, whether
    it has a feature twin and whether it has an exact copy of the whole row (features and
    label) in its fold's training rows; the share of twins expected by chance from the
    columns' value counts; and the inflation: how much better the best model scores on all
    test rows than on those without a twin, from its out-of-fold predictions (no refits).

    Expected twins assume independent columns: the chance that two rows agree on every column
    is q = prod_j sum_v p_jv^2 (p_jv the share of value v in column j, estimated without
    counting a row with itself), and a test row meets a twin among n training rows with chance
    1 - (1 - q)^n. Dependent columns agree more often than that, so the expectation can be too
    low; the inflation is what then decides. The inflation compares rows with and without a
    twin, which may also differ in difficulty; it is read only where twins exceed chance."""

    code: ClassVar[str] = "leakage_duplicates"
    title: ClassVar[str] = "Duplicate rows across training and test folds"
    kinds: ClassVar[frozenset[str]] = TABLES | IMAGES
    blocking_excess: float = 0.10
    """Share of test rows with a feature twin beyond the expected share from which copies can
    inflate the scores: blocking when the inflation is shown too."""
    warning_share: float = 0.01
    """Below this share of test rows with a twin nothing is reported; twins beyond chance on
    at least this share give a warning, fewer an info finding (repeats that chance explains)."""
    fallback_excess: float = 0.30
    """Twins beyond chance on this share of test rows (three times `blocking_excess`: a third of
    every score read on rows the models were trained on) block unless the inflation is shown
    to stay below the minimum gain (the upper end of its interval below it), provided one
    column alone tells the distinct rows apart (so no twin is chance) and they are copies of
    records (the next two thresholds). On images (`image_duplicates.py`): copies, weighed by
    how often their picture recurs, on this share block unless both compared models'
    inflation is shown below the minimum gain."""
    min_exact_share: float = 0.90
    """... and this share of the twins must be exact copies of the whole row (features and
    label): copies of records, not rows that happen to share their features. On images:
    this share of the weighed copies must have their twins' labels."""
    max_training_copies: int = 3
    """... and the median twin may have at most this many training rows with its features: a
    model can repeat the labels of so few rows, where of many it predicts their rate, as it
    would for a new row with these features. On images: a picture occurring at most this
    many times plus one (4) counts as a whole copy, one occurring more often by 4 over its
    count (`image_duplicates.copy_weight`)."""
    min_rows_without_twin: int = 30
    """Test rows without a twin a fold needs (every class among them) for its inflation."""
    alpha: float = 0.05
    """1 - coverage of the corrected interval of the inflation over folds."""
    n_examples: int = 20
    """Rows with a twin listed in the evidence."""

    def run(self, context: CheckContext) -> list[Finding]:
        if context.dataset.kind == "image":  # near-duplicate images: image_duplicates.py
            return image_twin_findings(self, context)
        prepared, results = context.dataset, context.results
        folds = results.split.first_repeat
        twins = fold_twins(prepared, folds)
        n_test = len(twins.rows)
        share = float(twins.twin.mean()) if n_test else 0.0
        if share < self.warning_share:
            return []
        n_train = float(np.mean([len(f.train) for f in folds]))
        expected = expected_twin_share(prepared.X, n_train)
        excess = share - expected
        best = results.best()
        min_gain = resolve_min_gain(results, context.min_gain,
                                    results.best(CLASSICAL)).value
        inflation = self._inflation(context, best.name if best else None, twins, min_gain)
        exact = float(twins.copy[twins.twin].mean()) if twins.twin.any() else 0.0
        copies = twins.n_train_copies[twins.twin]
        median_copies = float(np.median(copies)) if len(copies) else 0.0
        evidence = {
            "share_of_test_rows": round(share, 4), "rows": int(twins.twin.sum()),
            "exact_copy_share_of_test_rows": round(float(twins.copy.mean()), 4),
            "exact_copy_share_of_twins": round(exact, 4),
            "expected_share": round(expected, 4), "excess_share": round(excess, 4),
            "median_training_rows_per_twin": round(median_copies, 1),
            "model": best.name if best else None, "metric": results.metric.name, **inflation,
            "min_gain": rounded(min_gain),
            "example_rows": self._examples(prepared, twins),
            "row_numbering": "0-based positions of data rows in the input table",
            "threshold_blocking_excess": self.blocking_excess,
            "threshold_fallback_excess": self.fallback_excess,
        }
        measured = inflation["inflation_folds"] >= 2 and inflation["inflation_ci_low"] is not None
        # A model that cannot memorise rows (linear) shows only how much easier the rows with
        # twins are: its "inflation" is no evidence of copies.
        memorises = best is not None and best.family in MEMORISING_FAMILIES
        inflates = measured and memorises and inflation["inflation_ci_low"] > min_gain
        harmless = measured and inflation["inflation_ci_high"] < min_gain
        # Chance twins are impossible when one column alone tells almost every distinct row
        # apart (a measurement with many distinct values): there, blatant copies of whole rows
        # block unless the inflation is shown to stay below the minimum gain.
        identifying = identifying_column(prepared.X)
        evidence["identifying_column"] = identifying
        copied = (identifying is not None and excess >= self.fallback_excess
                  and exact >= self.min_exact_share
                  and median_copies <= self.max_training_copies)
        blocking = excess >= self.blocking_excess and (inflates or (copied and not harmless))
        return [self._finding(evidence, blocking, measured, inflates)]

    def _inflation(self, context: CheckContext, model: str | None, twins: Twins,
                   min_gain: float, skipped: dict[str, int] | None = None) -> dict:
        """Per fold, the model's score on all test rows minus its score on those without a
        twin (positive: twins score better), with the corrected interval over folds. A fold
        counts where enough twin-free rows hold every class and their score leaves room above
        it for more than the minimum gain (a score at the ceiling cannot show inflation);
        `skipped['ceiling']`, when given, counts the folds skipped for the latter."""
        prepared, results = context.dataset, context.results
        metric, k = results.metric, max(len(prepared.classes), 1)
        oof = results.out_of_fold.get(model)
        sign = goodness_sign(metric.greater_is_better)
        values = []
        for fold in results.split.first_repeat if oof is not None else []:
            mine = twins.fold == fold.id
            covered = np.isfinite(oof[twins.rows[mine]]).all(axis=1)
            test = twins.rows[mine][covered]
            free = test[~twins.twin[mine][covered]]
            if len(free) < self.min_rows_without_twin or (
                    prepared.task != "regression" and len(np.unique(prepared.y[free])) < k):
                continue
            s_free = metric.fn(prepared.y[free], oof[free], k)
            room = metric.upper - s_free if metric.greater_is_better else s_free - metric.lower
            if not np.isfinite(s_free) or room <= min_gain:
                if skipped is not None and np.isfinite(s_free):
                    skipped["ceiling"] = skipped.get("ceiling", 0) + 1
                continue
            values.append(sign * (metric.fn(prepared.y[test], oof[test], k) - s_free))
        if not values:
            return {"inflation": None, "inflation_ci_low": None, "inflation_ci_high": None,
                    "inflation_folds": 0}
        interval = corrected_t_interval(np.asarray(values), results.split.test_train_ratio,
                                        self.alpha)
        return {"inflation": rounded(interval.mean), "inflation_ci_low": rounded(interval.ci_low),
                "inflation_ci_high": rounded(interval.ci_high), "inflation_folds": len(values)}

    def _examples(self, prepared: TableData, twins: Twins) -> list[int]:
        rows = np.sort(twins.rows[twins.twin])[: self.n_examples]
        if prepared.source_rows is not None:
            rows = prepared.source_rows[rows]
        return [int(r) for r in rows]

    def _finding(self, e: dict, blocking: bool, measured: bool, inflates: bool) -> Finding:
        seen = (f"{e['share_of_test_rows']:.1%} of test rows ({e['rows']:,}) have a feature "
                "twin (the same values in every column) in the training part of their fold "
                f"({e['exact_copy_share_of_test_rows']:.1%} an exact copy of the whole row, "
                f"label included); the columns' value counts would give {e['expected_share']:.1%}"
                " by chance")
        if measured:
            moved = (f"On all test rows {e['model']} scores {e['inflation']:+.4f} {e['metric']} "
                     "against its score on those without a twin (95% interval "
                     f"{e['inflation_ci_low']:+.4f} to {e['inflation_ci_high']:+.4f}; minimum "
                     f"worthwhile gain {e['min_gain']:g})")
        else:
            moved = ("Whether the twins raise the scores cannot be measured (too few test rows "
                     "without a twin, or a score at its ceiling)")
        advice = ("Remove duplicate rows, or group them with --group-col so copies stay in one "
                  "fold, and run dlcheck again.")
        if blocking:
            why = ("duplication moves the score by more than the gain the verdict weighs"
                   if inflates else
                   f"{e['exact_copy_share_of_twins']:.0%} of the twins copy a whole row with at "
                   f"most {self.max_training_copies} copies in training, which models can "
                   f"memorise, although column {e['identifying_column']!r} alone tells almost "
                   "every distinct row apart (no chance twins), and the inflation is not shown "
                   "to stay below the minimum gain")
            return Finding(self.code, "critical",
                           f"{seen}. {moved}: {why}. Models are scored on rows they have seen.",
                           e, advice, blocking=True)
        if e["excess_share"] >= self.warning_share:
            return Finding(self.code, "warning",
                           f"{seen}: {e['excess_share']:.1%} of test rows have a twin beyond "
                           "chance (copied rows, or columns that depend on each other). "
                           f"{moved}: " + (f"but twins beyond chance are under "
                                           f"{self.blocking_excess:.0%} of test rows."
                                           if inflates else "not shown to inflate the scores."),
                           e, advice)
        return Finding(self.code, "info",
                       f"{seen}: the repeats are what columns with so few distinct values "
                       f"produce, not copied rows. {moved}.", e,
                       "Nothing to fix: a new row will find its twins in the training data as "
                       "a test row does.")



IDENTIFYING_SHARE = 0.95
"""A column with at least this share as many distinct values as there are distinct feature
rows tells them apart on its own."""


def identifying_column(X: pd.DataFrame) -> str | None:
    """A column that alone distinguishes almost every distinct feature row, if any: with it,
    two different records cannot share every feature by chance."""
    n_distinct = len(X.drop_duplicates())
    for column in X:
        if X[column].nunique(dropna=False) >= IDENTIFYING_SHARE * n_distinct:
            return str(column)
    return None


@dataclass(frozen=True)
class Twins:
    """Per test row of the first repeat's folds (in fold order): its fold, whether a
    training row of the fold has the same features, whether one is an exact copy (features
    and label), and how many training rows share its features."""

    rows: np.ndarray
    fold: np.ndarray
    twin: np.ndarray
    copy: np.ndarray
    n_train_copies: np.ndarray


def fold_twins(prepared: TableData, folds: list[Fold]) -> Twins:
    features = pd.util.hash_pandas_object(prepared.X, index=False).to_numpy()
    whole = pd.util.hash_pandas_object(prepared.X.assign(__label__=prepared.y),
                                       index=False).to_numpy()
    parts = {"rows": [], "fold": [], "twin": [], "copy": [], "n_train_copies": []}
    for fold in folds:
        counts = _counts_in(features[fold.train], features[fold.test])
        parts["rows"].append(np.asarray(fold.test))
        parts["fold"].append(np.full(len(fold.test), fold.id, dtype=object))
        parts["twin"].append(counts > 0)
        parts["copy"].append(_counts_in(whole[fold.train], whole[fold.test]) > 0)
        parts["n_train_copies"].append(counts)
    return Twins(**{k: np.concatenate(v) if v else np.array([]) for k, v in parts.items()})


def _counts_in(reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """How many times each of `values` occurs in `reference`."""
    keys, counts = np.unique(reference, return_counts=True)
    if not len(keys):
        return np.zeros(len(values), dtype=int)
    at = np.clip(np.searchsorted(keys, values), 0, len(keys) - 1)
    return np.where(keys[at] == values, counts[at], 0)


def expected_twin_share(X: pd.DataFrame, n_train: float) -> float:
    """The share of test rows expected to meet a feature twin among `n_train` training rows
    if the columns were independent: 1 - (1 - q)^n_train, q = prod_j sum_v p_jv^2 estimated
    without pairing a row with itself (sum_v c_v (c_v - 1) / (n (n - 1)))."""
    n = len(X)
    if n < 2:
        return 0.0
    q = 1.0
    for column in X:
        counts = X[column].value_counts(dropna=False).to_numpy(dtype=float)
        q *= float(np.sum(counts * (counts - 1)) / (n * (n - 1)))
    return float(1.0 - (1.0 - q) ** n_train)


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
    kinds: ClassVar[frozenset[str]] = TABLES
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
        prepared, results = context.dataset, context.results
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

    def _is_numbering(self, prepared: TableData, column: str) -> bool:
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

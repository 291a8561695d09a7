"""Target leakage: a single column that predicts the target too well, and rows that sit in both
the training and the test part of a fold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from sklearn.metrics import r2_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from dlcheck.benchmark.scoring import METRICS
from dlcheck.checks.base import CheckContext
from dlcheck.findings import Finding


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
        prepared = context.prepared
        values = prepared.X[column]
        if values.dtype == object:  # categories: codes by order of first appearance
            values = pd.Series(pd.factorize(values)[0], index=values.index).where(values.notna())
        x = values.to_numpy(dtype=float).reshape(-1, 1)
        scores = []
        for fold in folds:
            if prepared.task == "regression":
                model = DecisionTreeRegressor(max_depth=self.max_depth, min_samples_leaf=5,
                                              random_state=context.seed)
                model.fit(x[fold.train], prepared.y[fold.train])
                scores.append(r2_score(prepared.y[fold.test], model.predict(x[fold.test])))
            else:
                model = DecisionTreeClassifier(max_depth=self.max_depth, min_samples_leaf=5,
                                               random_state=context.seed)
                model.fit(x[fold.train], prepared.y[fold.train])
                proba = np.zeros((len(fold.test), len(prepared.classes)))
                proba[:, model.classes_] = model.predict_proba(x[fold.test])
                scores.append(METRICS["roc_auc"].fn(prepared.y[fold.test], proba,
                                                    len(prepared.classes)))
        return float(np.nanmean(scores))


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

"""Wrong labels: how many rows look mislabeled, from out-of-fold probabilities (confident
learning, Northcutt et al. 2021, through the cleanlab library)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dlcheck.checks.base import CheckContext, NotApplicable
from dlcheck.findings import Finding


@dataclass(frozen=True)
class WrongLabels:
    code: ClassVar[str] = "wrong_labels"
    title: ClassVar[str] = "Wrong labels"
    warning_share: float = 0.05
    """Estimated share of mislabeled rows at which the labels deserve a review."""
    n_suspects: int = 20

    def run(self, context: CheckContext) -> list[Finding]:
        prepared, results = context.prepared, context.results
        if prepared.task == "regression":
            raise NotApplicable("label errors are estimated for classes")
        from cleanlab.count import num_label_issues
        from cleanlab.filter import find_label_issues

        model = results.best({"linear", "tree", "ensemble", "deep"})
        if model is None:
            raise NotApplicable("no model besides the baseline")
        proba = results.out_of_fold[model.name]
        covered = ~np.isnan(proba).any(axis=1)
        labels, proba = prepared.y[covered], proba[covered]
        proba = proba / proba.sum(axis=1, keepdims=True)
        # The calibrated count estimates the noise rate itself (measured within 0.5 points of
        # a true 10%); the plain count is only the rows confidently flagged (~7% there).
        n_issues = int(num_label_issues(labels, proba,
                                        estimation_method="off_diagonal_calibrated"))
        share = n_issues / len(labels)
        # n_jobs=1: cleanlab would otherwise fork a pool from this multi-threaded process.
        ranked = find_label_issues(labels, proba, return_indices_ranked_by="self_confidence",
                                   n_jobs=1)
        rows = np.flatnonzero(covered)[ranked[: self.n_suspects]]
        source_rows = (prepared.source_rows[rows] if prepared.source_rows is not None
                       else rows)
        evidence = {
            "estimated_share": round(share, 4), "estimated_rows": n_issues,
            "rows_checked": int(len(labels)), "model": model.name,
            "most_suspected_rows": [int(r) for r in source_rows],
            "row_numbering": "0-based positions of data rows in the input table",
        }
        severity = "warning" if share >= self.warning_share else "info"
        return [Finding(
            self.code, severity,
            f"About {share:.1%} of the labels ({n_issues:,} of {len(labels):,} rows) look "
            f"wrong: {model.name}'s out-of-fold probabilities confidently disagree with them.",
            evidence,
            "Review the most suspected rows first; label noise caps every model's score, and "
            "deep networks memorise it more readily than trees." if severity == "warning" else
            "Label noise looks low; the most suspected rows are listed if you want to check.",
        )]

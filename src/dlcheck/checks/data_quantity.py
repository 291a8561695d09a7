"""Too little data: rows overall, per class and per feature."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dlcheck.checks.base import ANY_KIND, CheckContext, unit
from dlcheck.findings import Finding


@dataclass(frozen=True)
class DataQuantity:
    code: ClassVar[str] = "data_quantity"
    title: ClassVar[str] = "Too little data"
    kinds: ClassVar[frozenset[str]] = ANY_KIND
    min_rows: int = 1000
    """Below this many rows, fold scores vary widely and deep models have little to learn from."""
    min_rows_per_class: int = 50
    min_rows_per_feature: float = 10.0
    near_constant_share: float = 0.99
    """A class holding this share of the rows (classification) makes the target near-constant
    when the other classes also have fewer than `min_other_rows_per_fold` rows per test fold."""
    min_other_rows_per_fold: int = 5
    near_constant_value_share: float = 0.95
    """One value holding this share of a numeric target makes it near-constant: its RMSE is
    decided by the few other rows."""

    def run(self, context: CheckContext) -> list[Finding]:
        prepared = context.dataset
        n_rows, n_features = prepared.n_rows, prepared.n_features
        findings = self._near_constant(context)
        images = prepared.kind == "image"
        if n_rows < self.min_rows:
            findings.append(Finding(
                self.code, "warning",
                f"Only {n_rows:,} images: every 95% interval in this report is wide, and a "
                "network trained from scratch rarely beats classic features on this few; a "
                "pretrained network fine-tuned is the deep option that can." if images else
                f"Only {n_rows:,} rows: every 95% interval in this report is wide, and deep "
                "networks rarely beat trees on tables this small.",
                {"rows": n_rows, "threshold": self.min_rows},
                "Treat small differences between models as noise; collect more "
                + ("labelled images" if images else "rows") + " before investing in deep "
                "learning.",
            ))
        if images and prepared.classes:
            counts = np.bincount(prepared.y, minlength=len(prepared.classes))
            findings.append(Finding(
                self.code, "info",
                f"{n_rows:,} images in {len(counts)} classes: {int(counts.min()):,} to "
                f"{int(counts.max()):,} per class (median {int(np.median(counts)):,}).",
                {"images_per_class": dict(zip(prepared.classes, counts.tolist(), strict=True)),
                 "min": int(counts.min()), "median": float(np.median(counts))},
                "The learning curves below project what more images per class would bring.",
            ))
        if prepared.classes:
            counts = np.bincount(prepared.y, minlength=len(prepared.classes))
            rare = {c: int(n) for c, n in zip(prepared.classes, counts, strict=True)
                    if n < self.min_rows_per_class}
            if rare:
                findings.append(Finding(
                    self.code, "warning",
                    f"{len(rare)} class(es) have fewer than {self.min_rows_per_class} "
                    f"{unit(prepared.kind)}: "
                    + ", ".join(f"{c!r} ({n})" for c, n in list(rare.items())[:10]),
                    {"rows_per_class": rare, "threshold": self.min_rows_per_class},
                    f"Scores for these classes rest on a handful of test {unit(prepared.kind)} "
                    "per fold.",
                ))
        per_feature = n_rows / max(n_features, 1)
        # Pixels are no features in this sense: neighbours are nearly equal and a convolution
        # shares its weights across them.
        if per_feature < self.min_rows_per_feature and not images:
            findings.append(Finding(
                self.code, "warning",
                f"{per_feature:.1f} rows per feature ({n_rows:,} rows, {n_features} features): "
                "flexible models can fit noise.",
                {"rows_per_feature": round(per_feature, 2), "threshold":
                 self.min_rows_per_feature},
                "Prefer regularised linear models or drop uninformative features.",
            ))
        return findings

    def _near_constant(self, context: CheckContext) -> list[Finding]:
        """A constant or near-constant target (SPEC: fix_data): every score would rest on the
        handful of rows that differ."""
        prepared = context.dataset
        n_folds = context.results.split.n_folds
        if prepared.classes:
            counts = np.bincount(prepared.y, minlength=len(prepared.classes))
            top = int(counts.argmax())
            others = int(counts.sum() - counts[top])
            if counts[top] / counts.sum() < self.near_constant_share or \
                    others >= self.min_other_rows_per_fold * n_folds:
                return []
            what = (f"{counts[top] / counts.sum():.1%} of the rows are {prepared.classes[top]!r}; "
                    f"the other classes have {others} rows in all, fewer than "
                    f"{self.min_other_rows_per_fold} per test fold")
            evidence = {"majority_share": round(float(counts[top] / counts.sum()), 4),
                        "other_rows": others, "folds": n_folds}
        else:
            values, counts = np.unique(prepared.y, return_counts=True)
            share = float(counts.max() / counts.sum())
            if share < self.near_constant_value_share:
                return []
            what = (f"{share:.1%} of the target values are {values[counts.argmax()]:g}: only "
                    f"{int(counts.sum() - counts.max())} rows differ")
            evidence = {"most_common_value_share": round(share, 4),
                        "other_rows": int(counts.sum() - counts.max())}
        return [Finding(
            self.code, "critical",
            f"The target is nearly constant: {what}. Every score in this report rests on "
            "those few rows.",
            evidence,
            "Collect more rows of the rare outcome (or define the target differently) before "
            "comparing models.",
            blocking=True, confidence="high",
        )]

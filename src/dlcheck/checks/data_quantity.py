"""Too little data: rows overall, per class and per feature."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dlcheck.checks.base import CheckContext
from dlcheck.findings import Finding


@dataclass(frozen=True)
class DataQuantity:
    code: ClassVar[str] = "data_quantity"
    title: ClassVar[str] = "Too little data"
    min_rows: int = 1000
    """Below this many rows, fold scores vary widely and deep models have little to learn from."""
    min_rows_per_class: int = 50
    min_rows_per_feature: float = 10.0

    def run(self, context: CheckContext) -> list[Finding]:
        prepared = context.prepared
        n_rows, n_features = prepared.n_rows, prepared.X.shape[1]
        findings = []
        if n_rows < self.min_rows:
            findings.append(Finding(
                self.code, "warning",
                f"Only {n_rows:,} rows: every 95% interval in this report is wide, and deep "
                "networks rarely beat trees on tables this small.",
                {"rows": n_rows, "threshold": self.min_rows},
                "Treat small differences between models as noise; collect more rows before "
                "investing in deep learning.",
            ))
        if prepared.classes:
            counts = np.bincount(prepared.y, minlength=len(prepared.classes))
            rare = {c: int(n) for c, n in zip(prepared.classes, counts, strict=True)
                    if n < self.min_rows_per_class}
            if rare:
                findings.append(Finding(
                    self.code, "warning",
                    f"{len(rare)} class(es) have fewer than {self.min_rows_per_class} rows: "
                    + ", ".join(f"{c!r} ({n})" for c, n in list(rare.items())[:10]),
                    {"rows_per_class": rare, "threshold": self.min_rows_per_class},
                    "Scores for these classes rest on a handful of test rows per fold.",
                ))
        per_feature = n_rows / max(n_features, 1)
        if per_feature < self.min_rows_per_feature:
            findings.append(Finding(
                self.code, "warning",
                f"{per_feature:.1f} rows per feature ({n_rows:,} rows, {n_features} features): "
                "flexible models can fit noise.",
                {"rows_per_feature": round(per_feature, 2), "threshold":
                 self.min_rows_per_feature},
                "Prefer regularised linear models or drop uninformative features.",
            ))
        return findings

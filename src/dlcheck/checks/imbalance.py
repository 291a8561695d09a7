"""Unbalanced labels: class shares, the accuracy paradox, and which metric judged the models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dlcheck.benchmark.scoring import WHY_PRIMARY
from dlcheck.checks.base import CheckContext, NotApplicable
from dlcheck.findings import Finding
from dlcheck.models.registry import IMBALANCE_RATIO_FOR_CLASS_WEIGHTS


@dataclass(frozen=True)
class ClassImbalance:
    code: ClassVar[str] = "class_imbalance"
    title: ClassVar[str] = "Unbalanced labels"
    warn_ratio: float = 10.0
    """Majority / minority count at or above which the imbalance is a warning."""
    warn_minority_share: float = 0.05

    def run(self, context: CheckContext) -> list[Finding]:
        prepared = context.prepared
        if prepared.task == "regression":
            raise NotApplicable("regression has no classes")
        counts = np.bincount(prepared.y, minlength=len(prepared.classes))
        shares = counts / counts.sum()
        ratio = float(counts.max() / counts.min())
        minority = prepared.classes[int(counts.argmin())]
        majority_accuracy = float(shares.max())
        best = context.results.best()
        evidence = {
            "class_shares": {c: round(float(s), 4) for c, s in zip(prepared.classes, shares,
                                                                  strict=True)},
            "imbalance_ratio": round(ratio, 2),
            "minority_class": minority,
            "minority_count": int(counts.min()),
            "majority_class_accuracy": round(majority_accuracy, 4),
            "best_model": best.name if best else None,
            "best_model_accuracy": round(best.secondary.get("accuracy", float("nan")), 4)
            if best else None,
            "metric": context.results.metric.name,
            "why_this_metric": WHY_PRIMARY[prepared.task],
            "class_weights_used": ratio >= IMBALANCE_RATIO_FOR_CLASS_WEIGHTS,
        }
        strong = ratio >= self.warn_ratio or shares.min() < self.warn_minority_share
        summary = (f"The minority class {minority!r} is {shares.min():.1%} of the rows "
                   f"({int(counts.min())} rows; majority/minority ratio {ratio:.1f}). Always "
                   f"predicting the majority class is {majority_accuracy:.1%} accurate")
        if best is not None and "accuracy" in best.secondary:
            summary += f"; the best model, {best.name}, is {best.secondary['accuracy']:.1%}."
        else:
            summary += "."
        advice = (f"Judge models by {context.results.metric.name} or balanced accuracy, never "
                  "plain accuracy; collect more minority rows if you can.")
        if evidence["class_weights_used"]:
            advice += " Class-weighted variants of the models were used."
        return [Finding(self.code, "warning" if strong else "info", summary, evidence, advice)]

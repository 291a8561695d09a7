"""Patterns that don't exist: would the best model score as well on shuffled labels?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dlcheck._config import ALPHA
from dlcheck.benchmark.compare import CLASSICAL
from dlcheck.checks.base import CheckContext, NotApplicable, affordable_model
from dlcheck.findings import Finding


@dataclass(frozen=True)
class PermutationTest:
    """Refits a model on label permutations, on the benchmark's own folds, and counts how often
    shuffled labels score as well as the real ones: p = (C + 1) / (n + 1), as in
    scikit-learn's permutation_test_score (Ojala & Garriga, 2010)."""

    code: ClassVar[str] = "permutation_test"
    title: ClassVar[str] = "Patterns that don't exist"
    alpha: float = ALPHA

    def run(self, context: CheckContext) -> list[Finding]:
        if context.run_jobs is None:
            raise NotApplicable("no executor to fit the permuted models")
        results, budget = context.results, context.budget
        folds = results.split.first_repeat
        n = budget.n_permutations
        model, why = affordable_model(results.models, CLASSICAL | {"deep"},
                                      results.metric.greater_is_better, len(folds) * n,
                                      budget.permutation_cpu_seconds)
        jobs = [model.job(fold, permutation=k) for k in range(1, n + 1) for fold in folds]
        done = context.run_jobs(jobs)
        failed = [r.error for r in done if not r.ok]
        if failed:
            raise RuntimeError(f"permuted fits of {model.name} failed: {failed[0]}")
        metric = results.metric
        by_permutation: dict[int, list[float]] = {}
        for r in done:
            by_permutation.setdefault(r.permutation, []).append(r.scores[metric.name])
        null_scores = np.array([np.nanmean(v) for v in by_permutation.values()])
        true_score = float(np.mean([s for fid, s in zip(model.fold_ids, model.fold_scores,
                                                         strict=True) if fid.startswith("r0")]))
        as_good = null_scores >= true_score if metric.greater_is_better \
            else null_scores <= true_score
        p_value = (int(as_good.sum()) + 1) / (n + 1)
        evidence = {
            "p_value": p_value, "model": model.name, "why_this_model": why,
            "n_permutations": n, "metric": metric.name, "score": round(true_score, 4),
            "permuted_mean": round(float(null_scores.mean()), 4),
            "permuted_best": round(float(null_scores.max() if metric.greater_is_better
                                         else null_scores.min()), 4),
        }
        if p_value >= self.alpha:
            return [Finding(
                self.code, "warning",
                f"{model.name} scores {metric.name} {true_score:.3f} on the real labels, and "
                f"{int(as_good.sum())} of {n} label shuffles do as well (p={p_value:.3f}): the "
                "patterns it finds are indistinguishable from chance.",
                evidence, "Look for features that carry information about the target, and check "
                "how the labels were made.")]
        return [Finding(
            self.code, "info",
            f"No label shuffle out of {n} matches {model.name}'s {metric.name} of "
            f"{true_score:.3f} (shuffled mean {null_scores.mean():.3f}; p={p_value:.3f}): the "
            "signal is real." if not as_good.any() else
            f"{int(as_good.sum())} of {n} label shuffles match {model.name} (p={p_value:.3f}).",
            evidence, "With more permutations (a larger --budget) the p-value gets finer.")]

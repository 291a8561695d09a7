"""Patterns that don't exist: would the best model score as well on shuffled labels?"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
        model, why, rows = self._model_and_rows(results, folds, budget)
        # A fraction of each fold that gives `rows` training rows (training_rows rounds it).
        fraction = {f.id: 1.0 if rows is None else rows / len(f.train) for f in folds}
        jobs = [model.job(fold, permutation=k, fraction=fraction[fold.id])
                for k in range(1, n + 1) for fold in folds]
        if rows is not None:  # the real labels on the same rows: like is compared with like
            jobs += [model.job(fold, fraction=fraction[fold.id]) for fold in folds]
        done = context.run_jobs(jobs)
        failed = [r.error for r in done if not r.ok]
        if failed:
            raise RuntimeError(f"permuted fits of {model.name} failed: {failed[0]}")
        metric = results.metric
        by_permutation: dict[int, list[float]] = {}
        for r in done:
            by_permutation.setdefault(r.permutation, []).append(r.scores[metric.name])
        if rows is None:
            true_score = float(np.mean([s for fid, s in zip(model.fold_ids, model.fold_scores,
                                                             strict=True)
                                        if fid.startswith("r0")]))
        else:
            true_score = float(np.nanmean(by_permutation.pop(0)))
        null_scores = np.array([np.nanmean(v) for v in by_permutation.values()])
        as_good = null_scores >= true_score if metric.greater_is_better \
            else null_scores <= true_score
        p_value = (int(as_good.sum()) + 1) / (n + 1)
        evidence = {
            "p_value": p_value, "model": model.name, "why_this_model": why,
            "n_permutations": n, "metric": metric.name, "score": round(true_score, 4),
            "train_rows": rows or model.train_rows,
            "permuted_mean": round(float(null_scores.mean()), 4),
            "permuted_best": round(float(null_scores.max() if metric.greater_is_better
                                         else null_scores.min()), 4),
        }
        name = model.name
        if rows is not None:
            evidence["subsample"] = (f"every refit, on real and on shuffled labels, trained on "
                                     f"{rows:,} rows of each training fold")
            name = f"{model.name} (refitted on {rows:,} rows of each training fold)"
        if p_value >= self.alpha:
            return [Finding(
                self.code, "warning",
                f"{name} scores {metric.name} {true_score:.3f} on the real labels, and "
                f"{int(as_good.sum())} of {n} label shuffles do as well (p={p_value:.3f}): the "
                "patterns it finds are indistinguishable from chance.",
                evidence, "Look for features that carry information about the target, and check "
                "how the labels were made.")]
        return [Finding(
            self.code, "info",
            f"No label shuffle out of {n} matches the {metric.name} of {name}, "
            f"{true_score:.3f} (shuffled mean {null_scores.mean():.3f}; p={p_value:.3f}): the "
            "signal is real." if not as_good.any() else
            f"{int(as_good.sum())} of {n} label shuffles match {name} (p={p_value:.3f}).",
            evidence, "With more permutations (a larger --budget) the p-value gets finer.")]

    @staticmethod
    def _model_and_rows(results, folds, budget):
        """The model to test, why, and the training rows of each refit (None: whole folds).

        When no model's refits on whole folds fit the CPU budget and the folds are larger than
        the budget's cap for slow models (`max_rows_slow`), every refit trains on that many
        rows of each fold instead, so that the test stays within its budget on a huge table
        rather than refitting the cheapest model a hundred times on all of it."""
        n_fits = len(folds) * budget.n_permutations
        cpu = budget.permutation_cpu_seconds
        gib = results.metric.greater_is_better
        model, why = affordable_model(results.models, CLASSICAL | {"deep"}, gib, n_fits, cpu)
        rows = budget.max_rows_slow
        if model.fit_seconds * n_fits <= cpu or min(len(f.train) for f in folds) <= rows:
            return model, why, None
        # Fit time grows about linearly with the rows: estimate each model's on the subsample.
        scaled = [replace(m, fit_seconds=m.fit_seconds * min(1.0, rows / max(m.train_rows, 1)))
                  for m in results.models]
        model, why = affordable_model(scaled, CLASSICAL | {"deep"}, gib, n_fits, cpu)
        return results.get(model.name), f"{why}, refitted on {rows:,} rows of each fold", rows

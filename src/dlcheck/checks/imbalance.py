"""Unbalanced labels: class shares, the accuracy paradox, which metric judged the models, and
what class weights change when the imbalance is strong."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from dlcheck.benchmark.compare import CLASSICAL
from dlcheck.benchmark.scoring import METRICS, WHY_PRIMARY
from dlcheck.benchmark.stats import paired_difference
from dlcheck.checks.base import IMAGES, TABLES, CheckContext, NotApplicable, ranked_candidates, unit
from dlcheck.findings import Finding, rounded
from dlcheck.models.spec import IMBALANCE_RATIO_FOR_CLASS_WEIGHTS


@dataclass(frozen=True)
class ClassImbalance:
    code: ClassVar[str] = "class_imbalance"
    title: ClassVar[str] = "Unbalanced labels"
    kinds: ClassVar[frozenset[str]] = TABLES | IMAGES
    warn_ratio: float = 10.0
    """Majority / minority count at or above which the imbalance is a warning."""
    warn_minority_share: float = 0.05
    compare_from_ratio: float = IMBALANCE_RATIO_FOR_CLASS_WEIGHTS
    """Majority / minority ratio from which the linear, best classical and best deep models
    are refitted with the other class-weight setting than the benchmark's (the ladder weights
    classes from the same ratio)."""
    budget_share: float = 0.25
    """Share of the budget's permutation_work the refits may take (15 CPU s of counted work on
    the quick budget); a model whose refits would overrun it is skipped, and said so, for the
    next best of its role that fits (usually no deep model on large tables with the quick
    budget)."""
    same_score: float = 0.01
    """A change of the primary metric within this is 'about the same'."""

    def run(self, context: CheckContext) -> list[Finding]:
        prepared = context.dataset
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
        rows = unit(prepared.kind)
        summary = (f"The minority class {minority!r} is {shares.min():.1%} of the {rows} "
                   f"({int(counts.min())} {rows}; majority/minority ratio {ratio:.1f}). Always "
                   f"predicting the majority class is {majority_accuracy:.1%} accurate")
        if best is not None and "accuracy" in best.secondary:
            summary += f"; the best model, {best.name}, is {best.secondary['accuracy']:.1%}."
        else:
            summary += "."
        advice = (f"Judge models by {context.results.metric.name} or balanced accuracy, never "
                  f"plain accuracy; collect more minority {rows} if you can.")
        if evidence["class_weights_used"]:
            advice += " Class-weighted variants of the models were used."
        findings = [Finding(self.code, "warning" if strong else "info", summary, evidence,
                            advice)]
        if ratio >= self.compare_from_ratio and context.run_jobs is not None:
            comparison, skipped = self._compare_weights(context, int(counts.argmin()), ratio)
            if comparison:
                findings.append(self._comparison_finding(comparison, skipped, minority,
                                                         context.results.metric.name))
            elif skipped:
                evidence["class_weight_comparison_skipped"] = skipped
        return findings

    def _compare_weights(self, context: CheckContext, minority: int, imbalance: float) \
            -> tuple[dict[str, dict], dict[str, str]]:
        """Per model, each fold's primary metric, balanced accuracy and minority recall with
        and without class weights: the benchmark's own fits for its setting, refits on the
        first-repeat folds for the other."""
        prepared, results = context.dataset, context.results
        folds = {f.id: f for f in results.split.first_repeat}
        allowance = context.budget.permutation_work * self.budget_share
        skipped: dict[str, str] = {}
        roles: dict[str, list[str]] = {}
        spent = 0.0
        for role, families in (("linear", {"linear"}), ("best classical", CLASSICAL),
                               ("best deep", {"deep"})):
            # The best model of the role whose refits still fit in what is left of the
            # allowance (a model already chosen for another role costs nothing more).
            ranked = ranked_candidates(results.models, families,
                                       results.metric.greater_is_better)
            for rank, model in enumerate(ranked):
                cost = 0.0 if model.name in roles else model.work * len(folds)
                if spent + cost <= allowance:
                    roles.setdefault(model.name, []).append(
                        role if rank == 0 else f"{role} whose refits fit the budget")
                    spent += cost
                    break
                skipped[model.name] = (f"its {len(folds)} refits would take about "
                                       f"{cost:.0f} CPU s of counted work, over the "
                                       f"{allowance:.0f} s this comparison may spend")
        chosen = [results.get(name) for name in roles]
        default = "balanced" if imbalance >= IMBALANCE_RATIO_FOR_CLASS_WEIGHTS else None
        jobs, plans = [], {}
        for model in chosen:
            fold_ids = [fid for fid in model.fold_ids if fid in folds]
            if not fold_ids:
                continue
            oof = context.results.out_of_fold.get(model.name)
            base = dict(model.job(folds[fold_ids[0]]).params)
            benchmarked = base.get("class_weight", default)
            other = None if benchmarked == "balanced" else "balanced"
            # The benchmark's fits serve for its own setting when their predictions are kept.
            reuse = oof is not None and not np.isnan(
                oof[np.concatenate([folds[f].test for f in fold_ids])]).any()
            settings = (other,) if reuse else (other, benchmarked)
            for setting in settings:
                for fid in fold_ids:
                    job = model.job(folds[fid])
                    params = dict(job.params) | {"class_weight": setting}
                    jobs.append(replace(job, params=tuple(sorted(params.items())),
                                        name=f"{model.name}__{_label(setting)}"))
            plans[model.name] = (model, fold_ids, benchmarked, reuse)
        done = {(r.model, r.fold_id): r for r in context.run_jobs(jobs)} if jobs else {}
        metric = results.metric.name
        k = len(prepared.classes)
        ratio = results.split.test_train_ratio
        comparison = {}
        for name, (model, fold_ids, benchmarked, reuse) in plans.items():
            per_setting = {}
            benchmark_scores = dict(zip(model.fold_ids, model.fold_scores, strict=True))
            for setting in ("balanced", None):
                rows = []
                for fid in fold_ids:
                    test = folds[fid].test
                    if reuse and setting == benchmarked:
                        proba = results.out_of_fold[name][test]
                        primary = benchmark_scores[fid]
                    else:
                        r = done.get((f"{name}__{_label(setting)}", fid))
                        if r is None or not r.ok:
                            rows = None
                            skipped[name] = f"a refit failed: {r.error if r else 'missing'}"
                            break
                        proba = r.predictions.reshape(len(test), -1)
                        primary = r.scores[metric]
                    predicted = proba.argmax(axis=1)
                    y = prepared.y[test]
                    rows.append((primary,
                                 METRICS["balanced_accuracy"].fn(y, proba, k),
                                 float(np.mean(predicted[y == minority] == minority))
                                 if np.any(y == minority) else np.nan))
                if rows is None:
                    break
                per_setting[setting] = np.array(rows, dtype=float)
            if len(per_setting) < 2:
                continue
            entry = {"family": model.family, "role": ", ".join(roles[name]),
                     "benchmark_setting": _label(benchmarked),
                     "n_folds": len(fold_ids)}
            for j, key in enumerate((metric, "balanced_accuracy", "minority_recall")):
                weighted, unweighted = per_setting["balanced"][:, j], per_setting[None][:, j]
                ok = np.isfinite(weighted) & np.isfinite(unweighted)
                diff = paired_difference(weighted[ok], unweighted[ok], ratio, True) \
                    if ok.sum() else None
                entry[key] = {
                    "weighted": rounded(np.mean(weighted[ok])) if ok.any() else None,
                    "unweighted": rounded(np.mean(unweighted[ok])) if ok.any() else None,
                    "difference": rounded(diff.mean) if diff else None,
                    "ci_low": rounded(diff.ci_low) if diff else None,
                    "ci_high": rounded(diff.ci_high) if diff else None,
                    "p_value": rounded(diff.p_value) if diff else None,
                }
            comparison[name] = entry
        return comparison, skipped

    def _comparison_finding(self, comparison: dict[str, dict], skipped: dict[str, str],
                            minority: str, metric: str) -> Finding:
        parts = []
        for name, e in comparison.items():
            p, r, b = e[metric], e["minority_recall"], e["balanced_accuracy"]
            parts.append(
                f"{name} ({e['role']}) {metric} {_fmt(p['weighted'])} weighted vs "
                f"{_fmt(p['unweighted'])} "
                f"unweighted ({_fmt(p['difference'], '+.3f')}), recall of {minority!r} "
                f"{_fmt(r['weighted'], '.2f')} vs {_fmt(r['unweighted'], '.2f')}, balanced "
                f"accuracy {_fmt(b['weighted'])} vs {_fmt(b['unweighted'])}")
        auc_moves = [e[metric]["difference"] for e in comparison.values()
                     if e[metric]["difference"] is not None]
        recall_moves = [e["minority_recall"]["difference"] for e in comparison.values()
                        if e["minority_recall"]["difference"] is not None]
        largest = max(auc_moves, key=abs) if auc_moves else 0.0
        same_ranking = abs(largest) <= self.same_score
        if same_ranking:
            ranking = f"Weights leave {metric} about the same (largest change {largest:+.3f})"
        else:
            ranking = f"Weights change {metric} by up to {largest:+.3f}"
        mean_recall = float(np.mean(recall_moves)) if recall_moves else 0.0
        recall = (f"{'raise' if mean_recall > 0 else 'lower'} the recall of {minority!r} at the "
                  f"default threshold by {abs(mean_recall):.2f} on average"
                  if abs(mean_recall) >= 0.01 else
                  f"barely move the recall of {minority!r} at the default threshold")
        n_folds = max(e["n_folds"] for e in comparison.values())
        summary = (f"With and without class weights, on the same {n_folds} folds: "
                   + "; ".join(parts) + f". {ranking}, and {recall}"
                   + (": weights move where the decision threshold falls, not how well the "
                      "model ranks rows." if same_ranking else "."))
        evidence = {"models": comparison, "metric": metric, "minority_class": minority,
                    "difference": "weighted minus unweighted, paired by fold",
                    "threshold": "the default one (the most probable class)"}
        if skipped:
            evidence["skipped"] = skipped
        ranked = (f"The verdict ranks models by {metric}, which weights barely move here. "
                  if same_ranking else
                  f"The verdict ranks models by {metric} with the benchmark's setting "
                  f"({next(iter(comparison.values()))['benchmark_setting']}). ")
        return Finding(
            self.code, "info", summary, evidence,
            ranked + f"If catching {minority!r} matters, train with class weights, or keep the "
            "unweighted model and choose its decision threshold on validation data from the "
            "cost of each kind of error; report balanced accuracy or minority recall, not "
            "plain accuracy.")


def _label(setting: str | None) -> str:
    return "weighted" if setting == "balanced" else "unweighted"


def _fmt(value: float | None, spec: str = ".3f") -> str:
    return "n/a" if value is None else format(value, spec)

"""The report as one plain dict: `report.json`. Every view renders from it alone."""

from __future__ import annotations

import math
import platform
from typing import Any

import numpy as np

from dlcheck import __version__
from dlcheck._config import Budget
from dlcheck.benchmark.compare import Comparison
from dlcheck.benchmark.results import BenchmarkResults
from dlcheck.benchmark.scoring import WHY_PRIMARY
from dlcheck.benchmark.stats import Interval, goodness_sign
from dlcheck.checks.outcomes import LearningCurveOutcome, outcome_of
from dlcheck.data.dataset import Dataset
from dlcheck.findings import Finding
from dlcheck.verdict import Verdict


def build_report(
    *,
    prepared: Dataset,
    results: BenchmarkResults,
    comparison: Comparison,
    verdict: Verdict,
    findings: list[Finding],
    budget: Budget,
    options: dict[str, Any],
    timings: dict[str, float],
    environment: dict[str, Any],
    source: str,
) -> dict[str, Any]:
    classical = results.get(comparison.best_classical) if comparison.best_classical else None
    report = {
        "dlcheck_version": __version__,
        "dataset": _dataset(prepared, source),
        "verdict": verdict.to_dict(),
        "models": [_model(m.to_dict(), classical) for m in results.models],
        "comparison": _comparison(comparison),
        "pareto_front": _pareto_front(results),
        "findings": [f.to_dict() for f in findings],
        "learning_curves": curves.curves if (curves := outcome_of(
            findings, LearningCurveOutcome)) is not None else [],
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "protocol": {
            "split": results.split.strategy,
            "split_reason": results.split.reason,
            "n_folds": results.split.n_folds,
            "n_repeats": results.split.n_repeats,
            "test_train_ratio": results.split.test_train_ratio,
            "metric": results.metric.name,
            "greater_is_better": results.metric.greater_is_better,
            "metric_reason": WHY_PRIMARY[results.task],
            "min_gain": comparison.min_gain.value,
            "min_gain_description": comparison.min_gain.description,
            "min_gain_why": comparison.min_gain.why,
            "statistics": "corrected resampled t-test (Nadeau & Bengio, 2003), 95% intervals; "
                          "a model picked as the best of several is compared simultaneously "
                          "over them (multiple comparisons with the best, Hsu 1996); a simpler "
                          "model replaces a better one only when shown within the minimum "
                          "worthwhile gain of it (non-inferiority, Schuirmann 1987)",
            "interval_note": ("forward-chaining folds train on growing amounts of the past: "
                              "their scores are not exchangeable, so the intervals are "
                              "approximate" if results.split.strategy == "time" else ""),
            "gap": options.get("gap", 0),
            "budget": budget.to_dict(),
            "seed": options.get("seed"),
            "options": options,
        },
        "failed_models": results.failures,
        "environment": {"python": platform.python_version(), "platform": platform.platform(),
                        **environment},
    }
    if prepared.kind == "image":
        report["confusion_matrix"] = confusion_matrix(results, verdict, prepared)
    return to_jsonable(report)


def confusion_matrix(results: BenchmarkResults, verdict: Verdict, prepared: Dataset) \
        -> dict[str, Any] | None:
    """Counts of (true class, predicted class) of the recommended model over its out-of-fold
    predictions (the first repeat's test rows: each row once), or None without one."""
    name = verdict.recommended_model
    oof = results.out_of_fold.get(name) if name else None
    if oof is None or not prepared.classes:
        return None
    covered = np.isfinite(oof).all(axis=1)
    k = len(prepared.classes)
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (np.asarray(prepared.y)[covered], oof[covered].argmax(axis=1)), 1)
    return {"model": name, "classes": prepared.classes, "counts": counts.tolist(),
            "rows": int(covered.sum())}


def _dataset(p: Dataset, source: str) -> dict[str, Any]:
    """What every kind of data reports, then what its kind adds (`Dataset.describe`)."""
    counts = np.bincount(np.asarray(p.y).astype(int), minlength=len(p.classes)) \
        if p.classes else []
    return {
        "source": source,
        "rows": p.n_rows,
        "task": p.task,
        "target": p.target,
        "classes": p.classes,
        "class_counts": {label: int(c) for label, c in zip(p.classes, counts, strict=True)},
        **p.describe(),
        "target_distribution": _target_distribution(p),
    }


def _target_distribution(p: Dataset) -> dict[str, Any]:
    """Class counts and shares, or quantiles and a 20-bin histogram of a numeric target."""
    y = np.asarray(p.y)
    if p.classes:
        counts = np.bincount(y.astype(int), minlength=len(p.classes))
        return {"kind": "classes", "counts": dict(zip(p.classes, counts.tolist(), strict=True)),
                "shares": dict(zip(p.classes, (counts / max(counts.sum(), 1)).tolist(),
                                   strict=True))}
    y = y[np.isfinite(y)].astype(float)
    if len(y) == 0:
        return {"kind": "numeric"}
    counts, edges = np.histogram(y, bins=20)
    quantiles = dict(zip(("min", "q25", "median", "q75", "max"),
                         np.quantile(y, [0, 0.25, 0.5, 0.75, 1]).tolist(), strict=True))
    return {"kind": "numeric", "mean": float(y.mean()), "std": float(y.std()), **quantiles,
            "histogram": {"edges": edges.tolist(), "counts": counts.tolist()}}


def _pareto_front(results: BenchmarkResults) -> dict[str, list[str]]:
    """For each cost, the models no other model beats on both score and that cost."""
    sign = goodness_sign(results.metric.greater_is_better)
    front: dict[str, list[str]] = {}
    for cost in ("fit_seconds", "predict_ms_per_1k"):
        points = [(m.name, sign * m.mean, getattr(m, cost)) for m in results.models
                  if m.mean is not None and math.isfinite(m.mean)
                  and getattr(m, cost) is not None]
        front[cost] = [name for name, score, c in points if not any(
            s2 >= score and c2 <= c and (s2 > score or c2 < c) for _, s2, c2 in points)]
    return front


def _model(model: dict[str, Any], classical) -> dict[str, Any]:
    if classical is not None:
        model["cost_ratio_to_best_classical"] = {
            k: (model[k] / getattr(classical, k) if getattr(classical, k) else None)
            for k in ("fit_seconds", "predict_ms_per_1k", "size_bytes", "n_params")
        }
    return model


def _interval(i: Interval | None) -> dict[str, float] | None:
    if i is None:
        return None
    return {"mean": i.mean, "ci_low": i.ci_low, "ci_high": i.ci_high, "p_value": i.p_value,
            "n_compared": i.n_compared}


def _comparison(c: Comparison) -> dict[str, Any]:
    gain = c.deep_vs_classical
    return {
        "best_model": c.best_model,
        "best_classical": c.best_classical,
        "best_deep": c.best_deep,
        "metric": c.metric,
        "greater_is_better": c.greater_is_better,
        "uplift": gain.mean if gain else None,
        "ci_low": gain.ci_low if gain else None,
        "ci_high": gain.ci_high if gain else None,
        "p_value": gain.p_value if gain else None,
        "uplift_meaning": "best deep minus best classical, in the metric's units, signed so "
                          "that a positive value means the deep model is better",
        "n_compared": gain.n_compared if gain else None,
        "n_compared_meaning": "deep models the best deep was picked from: its interval is "
                              "simultaneous over them",
        "min_gain": c.min_gain.value,
        "min_gain_description": c.min_gain.description,
        "min_gain_why": c.min_gain.why,
        "best_over_dummy": _interval(c.best_vs_dummy),
        "latest_folds": c.latest_folds,
        "cost_ratios_deep_over_classical": c.cost_ratios,
    }


def to_jsonable(value: Any) -> Any:
    """Plain JSON types; NaN and infinities become null (JSON has neither)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value

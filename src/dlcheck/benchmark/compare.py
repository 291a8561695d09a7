"""Best classical against best deep, and the best model against the dummy, paired by fold."""

from __future__ import annotations

from dataclasses import dataclass

from dlcheck._config import DEFAULT_MIN_GAIN_BOUNDED, DEFAULT_MIN_GAIN_RELATIVE_LOSS
from dlcheck.benchmark.results import BenchmarkResults, ModelResult
from dlcheck.benchmark.stats import Interval, paired_difference

CLASSICAL = {"linear", "tree", "ensemble"}
COST_FIELDS = ("fit_seconds", "predict_ms_per_1k", "size_bytes", "n_params")


@dataclass(frozen=True)
class MinGain:
    value: float
    """In the metric's units: the gain a deep model must exceed to be worth it."""
    description: str


@dataclass(frozen=True)
class Comparison:
    metric: str
    greater_is_better: bool
    best_model: str
    best_classical: str | None
    best_deep: str | None
    deep_vs_classical: Interval | None
    """Positive: the deep model is better."""
    best_vs_dummy: Interval | None
    """The best non-baseline model against the dummy (positive: it beats the dummy)."""
    min_gain: MinGain
    cost_ratios: dict[str, float]
    """Best deep over best classical, per cost."""


def resolve_min_gain(results: BenchmarkResults, user_value: float | None,
                     reference: ModelResult | None) -> MinGain:
    metric = results.metric
    if metric.bounded:
        value = DEFAULT_MIN_GAIN_BOUNDED if user_value is None else user_value
        return MinGain(value, f"{value:g} {metric.name} (absolute)")
    relative = DEFAULT_MIN_GAIN_RELATIVE_LOSS if user_value is None else user_value
    scale = abs(reference.mean) if reference is not None else 0.0
    return MinGain(relative * scale,
                   f"{relative:.0%} relative reduction of {metric.name} = {relative * scale:.4g}")


def compare(results: BenchmarkResults, min_gain: float | None = None) -> Comparison:
    gib = results.metric.greater_is_better
    ratio = results.split.test_train_ratio
    best = results.best()
    classical = results.best(CLASSICAL)
    deep = results.best({"deep"})
    dummy = results.best({"baseline"})
    deep_vs_classical = None
    if classical and deep:
        deep_vs_classical = paired_difference(
            results.scores(deep.name), results.scores(classical.name), ratio, gib)
    contender = results.best(CLASSICAL | {"deep"})
    best_vs_dummy = None
    if contender and dummy:
        best_vs_dummy = paired_difference(
            results.scores(contender.name), results.scores(dummy.name), ratio, gib)
    cost_ratios = {}
    if classical and deep:
        for name in COST_FIELDS:
            denominator = getattr(classical, name)
            cost_ratios[name] = getattr(deep, name) / denominator if denominator else float("inf")
    return Comparison(
        metric=results.metric.name, greater_is_better=gib,
        best_model=best.name if best else "",
        best_classical=classical.name if classical else None,
        best_deep=deep.name if deep else None,
        deep_vs_classical=deep_vs_classical, best_vs_dummy=best_vs_dummy,
        min_gain=resolve_min_gain(results, min_gain, classical), cost_ratios=cost_ratios,
    )


def advantage(results: BenchmarkResults, reference: ModelResult, candidate: ModelResult) \
        -> Interval:
    """How much better the reference is than the candidate (positive: reference better)."""
    return paired_difference(results.scores(reference.name), results.scores(candidate.name),
                             results.split.test_train_ratio, results.metric.greater_is_better)

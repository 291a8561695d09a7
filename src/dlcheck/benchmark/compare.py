"""Best classical against best deep, and the best model against the dummy, paired by fold.

Each comparison of a model picked as the best of several is simultaneous over the candidates
it was picked from (stats.max_t_quantile): the deep side's claim is widened for the number of
deep models, the signal's for the number of models that could have been the best."""

from __future__ import annotations

from dataclasses import dataclass

from dlcheck._config import (
    DEFAULT_MIN_GAIN_BOUNDED,
    DEFAULT_MIN_GAIN_RELATIVE_LOSS,
    MIN_GAIN_FLOOR_BOUNDED,
    MIN_GAIN_SHARE_OF_REMAINING_ERROR,
)
from dlcheck.benchmark.results import BenchmarkResults, ModelResult
from dlcheck.benchmark.stats import Interval, goodness_sign, paired_difference

CLASSICAL = {"linear", "tree", "ensemble"}
COST_FIELDS = ("fit_seconds", "predict_ms_per_1k", "size_bytes", "n_params")


@dataclass(frozen=True)
class MinGain:
    value: float
    """In the metric's units: the gain a deep model must exceed to be worth it, and the gap
    within which a simpler model counts as good enough."""
    description: str
    why: str = ""
    """How the value was chosen, in a sentence."""


@dataclass(frozen=True)
class Comparison:
    metric: str
    greater_is_better: bool
    best_model: str
    best_classical: str | None
    best_deep: str | None
    deep_vs_classical: Interval | None
    """Positive: the deep model is better; simultaneous over the deep candidates."""
    best_vs_dummy: Interval | None
    """The best non-baseline model against the dummy (positive: it beats the dummy),
    simultaneous over every model it was picked from."""
    min_gain: MinGain
    cost_ratios: dict[str, float]
    """Best deep over best classical, per cost."""
    latest_folds: dict | None = None
    """With time folds: the deep-vs-classical gap on the latest folds alone (they train on
    the most rows, like a model put into production), beside the average over all folds."""


def resolve_min_gain(results: BenchmarkResults, user_value: float | None,
                     reference: ModelResult | None) -> MinGain:
    """The minimum worthwhile gain: the user's --min-gain, else on bounded scores the smaller
    of 0.01 and a fifth of the reference's remaining error (so that it can be cleared near the
    ceiling), on losses a 2% relative reduction of the reference's loss."""
    metric = results.metric
    if metric.bounded:
        if user_value is not None:
            return MinGain(user_value, f"{user_value:g} {metric.name} (absolute, --min-gain)",
                           "set with --min-gain")
        value, why = DEFAULT_MIN_GAIN_BOUNDED, f"the default {DEFAULT_MIN_GAIN_BOUNDED:g}"
        if reference is not None:
            remaining = metric.upper - reference.mean
            share = MIN_GAIN_SHARE_OF_REMAINING_ERROR * remaining
            if share < value:
                value = max(share, MIN_GAIN_FLOOR_BOUNDED)
                why = (f"a fifth of {reference.name}'s remaining error "
                       f"(1 - {reference.mean:.4f} = {remaining:.4f}), below the usual "
                       f"{DEFAULT_MIN_GAIN_BOUNDED:g}, so that the bar can be cleared near "
                       "the ceiling")
        return MinGain(value, f"{value:.4g} {metric.name} (absolute)", why)
    relative = DEFAULT_MIN_GAIN_RELATIVE_LOSS if user_value is None else user_value
    scale = abs(reference.mean) if reference is not None else 0.0
    source = "--min-gain" if user_value is not None else "the default"
    return MinGain(relative * scale,
                   f"{relative:.0%} relative reduction of {metric.name} = {relative * scale:.4g}",
                   f"{source}: {relative:.0%} of "
                   + (f"{reference.name}'s {metric.name} {reference.mean:.4g}"
                      if reference is not None else "the best classical model's loss"))


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
            results.scores(deep.name), results.scores(classical.name), ratio, gib,
            n_compared=len(results.candidates({"deep"})))
    contender = results.best(CLASSICAL | {"deep"})
    best_vs_dummy = None
    if contender and dummy:
        best_vs_dummy = paired_difference(
            results.scores(contender.name), results.scores(dummy.name), ratio, gib,
            n_compared=len(results.candidates(CLASSICAL | {"deep"})))
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
        latest_folds=_latest_folds(results, deep, classical) if classical and deep else None,
    )


def advantage(results: BenchmarkResults, reference: ModelResult, candidate: ModelResult,
              n_compared: int = 1) -> Interval:
    """How much better the reference is than the candidate (positive: reference better);
    simultaneous over `n_compared` candidates when the candidate was picked from that many."""
    return paired_difference(results.scores(reference.name), results.scores(candidate.name),
                             results.split.test_train_ratio, results.metric.greater_is_better,
                             n_compared=n_compared)


LATEST_SHARE = 0.4
"""Share of the time folds (the latest, at least 2) whose gap is reported beside the mean."""


def _latest_folds(results: BenchmarkResults, deep: ModelResult, classical: ModelResult) \
        -> dict | None:
    """With forward-chaining folds, the gap on the latest folds: a drift that favours one
    side shows here before it shows in the average."""
    if results.split.strategy != "time":
        return None
    ids = deep.fold_ids
    n = max(2, round(LATEST_SHARE * len(ids)))
    if len(ids) <= n:
        return None
    latest = ids[-n:]
    d = dict(zip(deep.fold_ids, deep.fold_scores, strict=True))
    c = dict(zip(classical.fold_ids, classical.fold_scores, strict=True))
    sign = goodness_sign(results.metric.greater_is_better)
    gaps = [sign * (d[f] - c[f]) for f in latest if f in d and f in c]
    if not gaps:
        return None
    return {"folds": latest, "gap": sum(gaps) / len(gaps), "fold_gaps": gaps,
            "all_folds_gap": sign * (deep.mean - classical.mean)}

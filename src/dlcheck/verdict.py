"""The verdict: one pure function of the benchmark results, the comparison and the findings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from dlcheck._config import ALPHA
from dlcheck.benchmark.compare import CLASSICAL, Comparison, advantage
from dlcheck.benchmark.results import BenchmarkResults, ModelResult
from dlcheck.benchmark.stats import Interval
from dlcheck.findings import Finding

Decision = Literal["fix_data", "no_signal", "classical", "deep_learning"]
INTERPRETABLE = {"linear", "tree"}


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    recommended_model: str | None
    confidence: Literal["low", "medium", "high"]
    reasons: list[str] = field(default_factory=list)
    outlook: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def decide(
    results: BenchmarkResults,
    comparison: Comparison,
    findings: list[Finding],
    *,
    n_rows: int,
    explain_required: bool = False,
) -> Verdict:
    """fix_data > no_signal > deep_learning > classical, as the SPEC orders them."""
    blocking = [f for f in findings if f.blocking]
    if blocking:
        return Verdict(
            "fix_data", None, "high",
            [f"{f.summary} ({_evidence(f)})" for f in blocking],
            "Fix these data problems and run dlcheck again: until then every score is "
            "misleading.",
        )

    metric = comparison.metric
    best = results.get(comparison.best_model)
    signal = comparison.best_vs_dummy
    permutation_p = _permutation_p_value(findings)
    # `not >` rather than `<=`: an undefined (NaN) interval is no evidence of signal.
    if signal is None or not signal.ci_low > 0 or (permutation_p is not None
                                                   and permutation_p >= ALPHA):
        contender = results.best(CLASSICAL | {"deep"}) or best
        return _no_signal(results, contender, signal, permutation_p, comparison, n_rows)

    min_gain = comparison.min_gain
    gain = comparison.deep_vs_classical
    classical = results.get(comparison.best_classical) if comparison.best_classical else None
    deep = results.get(comparison.best_deep) if comparison.best_deep else None
    reasons = [_ladder_sentence(results, classical, deep)]
    deep_worth_it = (gain is not None and gain.mean > min_gain.value
                     and gain.ci_low > min_gain.value)

    # --explain-required: linear and tree models, and the ensemble or deep models whose depth-3
    # surrogate the explainability check found faithful; only the former without that check.
    explained = _explained(findings) if explain_required else None

    def allowed(m: ModelResult) -> bool:
        return (not explain_required or m.family in INTERPRETABLE
                or (explained is not None and explained.get(m.name, {}).get("faithful", False)))

    if deep_worth_it and allowed(deep):
        assert deep is not None and classical is not None and gain is not None
        # Only deep models that themselves clear the worthwhile gain can be recommended.
        worthy = {m.name for m in results.models if m.family == "deep" and allowed(m)
                  and advantage(results, m, classical).ci_low > min_gain.value}
        recommended = _simplest_tied(results, deep, {"deep"}, among=worthy)
        reasons.append(
            f"{deep.name} beats {classical.name} by {fmt(gain.mean)} {metric} "
            f"(95% CI {fmt(gain.ci_low)} to {fmt(gain.ci_high)}, p={gain.p_value:.3g}), "
            f"more than the minimum worthwhile gain of {min_gain.description}.")
        reasons.append(_cost_sentence(comparison, deep, classical))
        if recommended.name != deep.name:
            reasons.append(_tie_sentence(results, deep, recommended))
        if explain_required:
            reasons.append(_explain_sentence(recommended.name, explained))
        return Verdict("deep_learning", recommended.name,
                       _confidence(gain, min_gain.value, n_rows), reasons,
                       _projected_outlook(findings) or
                       "The deep model's lead is measured on this data size; more rows of the "
                       "same kind usually keep or widen it.")

    pool = {m.name for m in results.models if m.family in CLASSICAL and allowed(m)}
    # A default with a tuned variant is represented by it, as in the comparison.
    reference = max((m for m in results.models if m.name in pool and not m.tuned_variant),
                    key=lambda m: m.mean if results.metric.greater_is_better else -m.mean,
                    default=None)
    if reference is None:  # no allowed classical model finished: the best one, said so below
        reference = classical or best
        pool = {reference.name}
    recommended = _simplest_tied(results, reference, CLASSICAL | {reference.family}, among=pool)
    if gain is not None and deep is not None and classical is not None:
        if deep_worth_it:
            reasons.append(
                f"{deep.name} beats {classical.name} by {fmt(gain.mean)} {metric} (95% CI "
                f"{fmt(gain.ci_low)} to {fmt(gain.ci_high)}, p={gain.p_value:.3g}), more than "
                f"the minimum worthwhile gain of {min_gain.description}, but "
                "--explain-required does not allow it (below).")
        else:
            reasons.append(_deep_gain_sentence(gain, min_gain.description, deep, classical,
                                               metric))
        reasons.append(_cost_sentence(comparison, deep, classical))
    if explain_required:
        reasons += _explain_required_reasons(results, explained, reference, best, allowed)
    if recommended.name != reference.name:
        reasons.append(_tie_sentence(results, reference, recommended))
    confidence = _confidence(gain, min_gain.value, n_rows) if gain is not None else "low"
    return Verdict("classical", recommended.name, confidence, reasons,
                   _projected_outlook(findings)
                   or _classical_outlook(gain, min_gain.value, n_rows, metric))


def _no_signal(results, best, signal: Interval | None, permutation_p, comparison, n_rows):
    dummy = results.best({"baseline"})
    reasons = []
    if signal is not None and dummy is not None:
        # The permutation test alone can decide: the interval may then lie above 0.
        where = "includes 0" if signal.ci_low <= 0 else "is above 0"
        reasons.append(
            f"The best model, {best.name}, scores {fmt(best.mean)} {comparison.metric} against "
            f"{fmt(dummy.mean)} for the dummy baseline; the 95% interval of the gain, "
            f"{fmt(signal.ci_low)} to {fmt(signal.ci_high)}, {where} (p={signal.p_value:.3g})."
        )
    if permutation_p is not None:
        reasons.append(f"A label-permutation test gives p={permutation_p:.3g} (>= {ALPHA}): "
                       "scores like these also arise when labels are shuffled.")
    confidence = _confidence(signal, comparison.min_gain.value, n_rows, below=True) \
        if signal is not None else "low"
    return Verdict(
        "no_signal", dummy.name if dummy else None, confidence, reasons,
        "More rows of the same columns are unlikely to help: look for features that carry "
        "information about the target, and check how the labels were made.",
    )


def _simplest_tied(results: BenchmarkResults, reference: ModelResult, pool: set[str],
                   among: set[str] | None = None) -> ModelResult:
    """The simplest model of the families in `pool` (and named in `among`, if given) that the
    reference does not significantly beat."""
    tied = [m for m in results.models if m.family in pool
            and (among is None or m.name in among)
            and (m.name == reference.name or advantage(results, reference, m).ci_low <= 0)]
    return min(tied, key=lambda m: m.simplicity_key)


def _confidence(interval: Interval, threshold: float, n_rows: int, below: bool = False) -> str:
    """High when the interval sits well clear of the threshold that decided, on enough rows.

    `below` asks whether the interval stays under the threshold (no worthwhile signal)."""
    half_width = (interval.ci_high - interval.ci_low) / 2
    distance = (threshold - interval.mean) if below else abs(interval.mean - threshold)
    if distance >= 2 * half_width:
        level = 2
    elif distance >= half_width:
        level = 1
    else:
        level = 0
    if n_rows < 500:
        level = min(level, 1)
    if n_rows < 100:
        level = 0
    return ("low", "medium", "high")[level]


def _explained(findings: list[Finding]) -> dict[str, dict] | None:
    """Per explained model, its surrogate's figures (fidelity, faithful, ...) with the
    threshold and measure; None when the explainability check did not run or failed."""
    for f in findings:
        if f.check == "explainability" and isinstance(f.evidence.get("models"), dict):
            keys = ("faithful_fidelity", "fidelity_measure", "min_skill_over_constant")
            return {name: {**e, **{k: f.evidence.get(k) for k in keys}}
                    for name, e in f.evidence["models"].items()}
    return None


def _explain_sentence(name: str, explained: dict[str, dict] | None) -> str:
    """Why --explain-required allows or excludes an ensemble or deep model, with its figures."""
    e = (explained or {}).get(name)
    if e is None:
        return (f"{name}'s surrogate fidelity was not measured: not recommended under "
                "--explain-required.")
    threshold, fidelity = e["faithful_fidelity"], e["fidelity"]
    only = "" if fidelity >= threshold else "only "
    if e["fidelity_measure"] == "r2":
        head = f"{name}'s depth-3 surrogate reproduces its predictions with {only}R² " \
               f"{fidelity:.2f}"
        bar = f"{threshold:.2f}"
    else:
        head = f"{name}'s depth-3 surrogate agrees with it on {only}{fidelity:.0%} of test rows"
        bar = f"{threshold:.0%}"
    if e["faithful"]:
        return f"{head} (>= {bar}): it can be explained through the surrogate."
    if fidelity >= threshold:
        return (f"{head}, but always predicting its most common class agrees on "
                f"{e['constant_agreement']:.0%}: the surrogate explains too little of it; not "
                "recommended under --explain-required.")
    return f"{head} (< {bar}): not recommended under --explain-required."


def _explain_required_reasons(results, explained, reference, best, allowed) -> list[str]:
    metric = results.metric.name
    if explained is None:
        reasons = ["--explain-required: the explainability check did not run (skipped or "
                   "failed), so only models a person can read (linear, shallow tree) are "
                   "recommended"]
    else:
        reasons = [_explain_sentence(name, explained) for name, e in explained.items()
                   if e.get("family") not in INTERPRETABLE]
        reasons.append("--explain-required: only models a person can read (linear, shallow "
                       "tree) and ensemble or deep models with a faithful depth-3 surrogate "
                       "are recommended")
    if allowed(reference) and reference.name == best.name:
        reasons[-1] += (f"; the best of them, {reference.name} ({fmt(reference.mean)} "
                        f"{metric}), is also the best model overall.")
    elif allowed(reference):
        reasons[-1] += (f"; the best of them is {reference.name} at {fmt(reference.mean)} "
                        f"{metric} against {fmt(best.mean)} for {best.name}.")
    else:
        reasons[-1] += (f"; none of them finished, so {reference.name} is recommended "
                        "without that guarantee.")
    return reasons


def _permutation_p_value(findings: list[Finding]) -> float | None:
    for f in findings:
        if f.check == "permutation_test" and "p_value" in f.evidence:
            return float(f.evidence["p_value"])
    return None


def fmt(x: float) -> str:
    """A score or difference as the reasons quote it."""
    return f"{x:.3f}" if abs(x) < 1000 else f"{x:,.0f}"


def _ladder_sentence(results, classical, deep) -> str:
    metric = results.metric.name
    parts = []
    for label, m in (("best classical", classical), ("best deep", deep)):
        if m is not None:
            parts.append(f"{label}: {m.name}, {metric} {fmt(m.mean)} "
                         f"(95% CI {fmt(m.ci_low)} to {fmt(m.ci_high)})")
    split = results.split
    folds = f"{split.n_folds}-fold" + (f" x{split.n_repeats}" if split.n_repeats > 1 else "")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + f", on {folds} cross-validation ({split.strategy} folds)."


def _deep_gain_sentence(gain: Interval, min_gain_text, deep, classical, metric) -> str:
    if gain.mean <= 0:
        head = f"{deep.name} does not beat {classical.name}: difference {fmt(gain.mean)} {metric}"
    else:
        head = f"{deep.name} is ahead of {classical.name} by {fmt(gain.mean)} {metric}"
    return (f"{head} (95% CI {fmt(gain.ci_low)} to {fmt(gain.ci_high)}, p={gain.p_value:.3g}); "
            f"deep learning needs a gain above {min_gain_text} with the interval's lower end "
            "above it too.")


def _cost_sentence(comparison: Comparison, deep, classical) -> str:
    r = comparison.cost_ratios
    return (f"{deep.name} costs {r['fit_seconds']:.0f}x the fit time of {classical.name} "
            f"({deep.fit_seconds:.2f} s vs {classical.fit_seconds:.2f} s a fold), "
            f"{r['predict_ms_per_1k']:.1f}x its prediction latency and "
            f"{r['size_bytes']:.1f}x its size.")


def _tie_sentence(results, reference, recommended) -> str:
    gap = advantage(results, reference, recommended)
    return (f"{recommended.name} is recommended as the simplest model statistically tied with "
            f"{reference.name}: it trails by {fmt(gap.mean)} {results.metric.name} "
            f"(95% CI {fmt(gap.ci_low)} to {fmt(gap.ci_high)}).")


def _classical_outlook(gain: Interval | None, min_gain: float, n_rows: int, metric) -> str:
    if gain is None:
        return "No deep model finished, so no comparison with deep learning was possible."
    if gain.ci_high < min_gain:
        return (f"With {n_rows:,} rows, even the upper end of the deep model's interval "
                f"({fmt(gain.ci_high)} {metric}) stays below the worthwhile gain: more data of "
                "the same kind is unlikely to change the verdict soon.")
    return (f"The deep model's worthwhile gain is not ruled out (its interval reaches "
            f"{fmt(gain.ci_high)} {metric}): more rows or a larger budget could change the "
            "verdict.")


def _projected_outlook(findings: list[Finding]) -> str | None:
    """The outlook from the learning curves, when they were measured."""
    curves = next((f for f in findings if f.check == "learning_curves"), None)
    if curves is None:
        return None
    crossing = curves.evidence["crossing"]
    status = crossing["status"]
    if status == "crosses":
        return (f"Deep learning is projected to become worth it at about "
                f"{crossing['rows']:,.0f} training rows ({crossing['times_today']:.0f}x "
                f"today's): collect about {crossing['rows'] * 1.25:,.0f} rows before trying it "
                "again.")
    if status == "deep already ahead" and crossing.get("deep_rows_seen"):
        return (f"Trained on all the training rows rather than the "
                f"{crossing['deep_rows_seen']:,} it saw, the deep model is projected to lead "
                "by the minimum worthwhile gain: measure it with a larger --budget before "
                "deciding.")
    if status == "deep already ahead":
        return "The learning curves project the deep model to stay ahead with more data."
    if status.startswith("no crossing"):
        return (f"The deep learning curve does not lead the classical one by the minimum "
                f"worthwhile gain within {status.split('within ')[1]}: more data of the same "
                "kind will not change the verdict.")
    return None


def _evidence(finding: Finding) -> str:
    items = list(finding.evidence.items())[:3]
    return ", ".join(f"{k}={v}" for k, v in items)

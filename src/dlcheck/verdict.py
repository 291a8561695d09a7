"""The verdict: one pure function of the benchmark results, the comparison and the findings.

Every rule is symmetric between the two sides (docs/methodology.md):
- a deep model is recommended when the lower end of its gain's 95% interval over the best
  classical model clears the minimum worthwhile gain;
- a simpler model replaces a better one only when it is shown within that same gain of it
  (the upper end of the interval of better - simpler lies below it: non-inferiority,
  Schuirmann 1987), not merely when the two cannot be told apart;
- each claim about a model picked as the best of several is simultaneous over the
  candidates it was picked from (stats.max_t_quantile).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Literal

from dlcheck._config import ALPHA
from dlcheck.benchmark.compare import CLASSICAL, Comparison, advantage
from dlcheck.benchmark.results import BenchmarkResults, ModelResult
from dlcheck.benchmark.stats import Interval, goodness_sign
from dlcheck.checks.outcomes import (
    ExplainabilityOutcome,
    LearningCurveOutcome,
    NotTriedOutcome,
    PermutationOutcome,
    SurrogateFidelity,
    outcome_of,
)
from dlcheck.findings import Finding

Decision = Literal["fix_data", "no_signal", "classical", "deep_learning"]
Confidence = Literal["low", "medium", "high"]
INTERPRETABLE = {"linear", "tree"}
LEVELS: tuple[Confidence, ...] = ("low", "medium", "high")


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    recommended_model: str | None
    confidence: Confidence
    reasons: list[str] = field(default_factory=list)
    outlook: str = ""
    confidence_reasons: list[str] = field(default_factory=list)
    """Why the confidence is what it is: the margin that decided, and each factor that
    lowered it (see `confidence`)."""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Choice:
    """The recommended model of one side and how it was reached."""

    model: ModelResult
    reference: ModelResult
    gap: Interval | None = None
    """reference - model when a simpler model was shown close enough; None otherwise."""
    closest_rejected: tuple[ModelResult, Interval] | None = None
    """The simpler candidate that came closest to being shown close enough, and its gap."""
    n_candidates: int = 0
    beaten_by: tuple[ModelResult, Interval] | None = None
    """When that candidate was within the gain but a deep rival beats it by more: the rival
    and its lead."""


def decide(
    results: BenchmarkResults,
    comparison: Comparison,
    findings: list[Finding],
    *,
    n_rows: int,
    explain_required: bool = False,
    kind: str = "table",
    n_classes: int = 0,
) -> Verdict:
    """fix_data > no_signal > deep_learning > classical, as the SPEC orders them. The rules
    are the same for every kind of data; for images the outlook also counts rows as images
    per class and says whether transfer learning was tried."""
    verdict = _decide(results, comparison, findings, n_rows=n_rows,
                      explain_required=explain_required, surrogates=kind != "image")
    # Under --explain-required no image network can be recommended: the images-per-class
    # outlook and transfer learning could not change the verdict (the outlook says so).
    if kind == "image" and verdict.decision in ("classical", "deep_learning") \
            and not explain_required:
        verdict = replace(verdict, outlook=_image_outlook(
            verdict.outlook, verdict.decision, findings, max(n_classes, 1),
            comparison.best_deep))
    return verdict


def _image_outlook(outlook: str, decision: str, findings: list[Finding], n_classes: int,
                   deep: str | None) -> str:
    """The outlook in labelled images per class (where a classical verdict projects deep
    learning to catch up), and what transfer learning adds."""
    curves = outcome_of(findings, LearningCurveOutcome)
    crossing = curves.crossing if curves else None
    if decision == "classical" and crossing and crossing.get("status") == "crosses" \
            and crossing.get("rows") and deep:
        # The crossing counts training rows; with 5 folds they are 4/5 of the images.
        outlook += (f" That is about {crossing['rows'] * 1.25 / n_classes:,.0f} labelled images "
                    f"per class on average before {deep} pays off.")
    not_tried = outcome_of(findings, NotTriedOutcome)
    pretrained = [n for n in (not_tried.models if not_tried else {}) if "pretrained" in n]
    if pretrained:
        outlook += (" Transfer learning (a pretrained network fine-tuned) was not tried, for "
                    "want of pretrained weights: on small image sets it is often the deep "
                    "option that wins; run again with --weights to weigh it.")
    return outlook


def _decide(
    results: BenchmarkResults,
    comparison: Comparison,
    findings: list[Finding],
    *,
    n_rows: int,
    explain_required: bool = False,
    surrogates: bool = True,
) -> Verdict:
    """`surrogates`: whether a model can be explained by a depth-3 surrogate tree of its
    inputs (tables); on images the explainability check draws occlusion maps instead, which
    show where a model looks, not rules a person can read."""
    blocking = [f for f in findings if f.blocking]
    if blocking:
        level = max(LEVELS.index(f.confidence or "medium") for f in blocking)
        return Verdict(
            "fix_data", None, LEVELS[level],
            [f"{f.summary} ({_evidence(f)})" for f in blocking],
            "Fix these data problems and run dlcheck again: until then every score is "
            "misleading.",
            [f"{f.check}: {f.confidence or 'medium'}, as the check grades its evidence"
             for f in blocking],
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
    fewer_rows = _deep_saw_fewer_rows(deep, classical)
    capped = _capped_deep_models(results)

    # --explain-required: linear and tree models, and the ensemble or deep models whose depth-3
    # surrogate the explainability check found faithful; only the former without that check.
    explained = _explained(findings) if explain_required and surrogates else None

    def allowed(m: ModelResult) -> bool:
        return (not explain_required or m.family in INTERPRETABLE
                or (explained is not None and m.name in explained
                    and explained[m.name].faithful))

    curves = _crossing(findings)
    n_deep = len(results.candidates({"deep"}))
    # The deep model that competes: the best one, or under --explain-required the best one
    # that is allowed (a faithful second network must not be shadowed by an unfaithful first).
    rival, rival_gain = deep, gain
    if deep is not None and not allowed(deep):
        rival = max((m for m in results.candidates({"deep"}) if allowed(m)),
                    key=lambda m: goodness_sign(results.metric.greater_is_better) * m.mean,
                    default=None)
        rival_gain = (advantage(results, rival, classical, n_deep)
                      if rival is not None and classical is not None else None)
    rival_worth_it = (rival_gain is not None and rival_gain.mean > min_gain.value
                      and rival_gain.ci_low > min_gain.value)
    if rival_worth_it:
        assert rival is not None and classical is not None and rival_gain is not None
        deep, gain = rival, rival_gain
        # Only deep models that themselves clear the worthwhile gain can be recommended.
        worthy = {m.name for m in results.models if m.family == "deep" and allowed(m)
                  and advantage(results, m, classical, n_deep).ci_low > min_gain.value}
        choice = simplest_shown_close(results, deep, {"deep"}, worthy, min_gain.value)
        reasons[0] = _ladder_sentence(results, classical, deep)
        reasons.append(
            f"{deep.name} beats {classical.name} by {fmt(gain.mean)} {metric} "
            f"(95% CI {fmt(gain.ci_low)} to {fmt(gain.ci_high)}{_adjusted(gain)}, "
            f"p={gain.p_value:.3g}), more than the minimum worthwhile gain of "
            f"{min_gain.description}.")
        reasons.append(_cost_sentence(comparison, deep, classical))
        reasons += _choice_sentences(results, choice, min_gain.value)
        if explain_required:
            reasons.append(_explain_sentence(choice.model.name, explained))
        level, why = confidence(
            "deep_learning", gain, min_gain.value, n_rows, results, choice=choice)
        return Verdict("deep_learning", choice.model.name, level, reasons,
                       _outlook("deep_learning", curves, gain, min_gain.value, n_rows, metric),
                       why)

    pool = {m.name for m in results.models if m.family in CLASSICAL and allowed(m)}
    # A default with a tuned variant is represented by it, as in the comparison.
    reference = max((m for m in results.models if m.name in pool and not m.tuned_variant),
                    key=lambda m: goodness_sign(results.metric.greater_is_better) * m.mean,
                    default=None)
    if reference is None:  # no allowed classical model finished: the best one, said so below
        reference = classical or best
        pool = {reference.name}
    # A classical recommendation the deep model beats by a worthwhile margin would contradict
    # the verdict's own test: the deep side's bar, mirrored onto every classical candidate.
    choice = simplest_shown_close(
        results, reference, CLASSICAL | {reference.family}, pool, min_gain.value,
        rival=(deep, n_deep) if deep is not None and allowed(deep) else None)
    if gain is not None and deep is not None and classical is not None:
        if deep_worth_it:
            reasons.append(
                f"{deep.name} beats {classical.name} by {fmt(gain.mean)} {metric} (95% CI "
                f"{fmt(gain.ci_low)} to {fmt(gain.ci_high)}{_adjusted(gain)}, "
                f"p={gain.p_value:.3g}), more than the minimum worthwhile gain of "
                f"{min_gain.description}, but --explain-required does not allow it (below).")
        else:
            reasons.append(_deep_gain_sentence(gain, min_gain.description, deep, classical,
                                               metric))
        reasons.append(_cost_sentence(comparison, deep, classical))
        if fewer_rows:
            reasons.append(fewer_rows)
        if capped:
            reasons.append(f"Some networks stopped at their epoch cap or the time limit per "
                           f"fit instead of early stopping ({', '.join(capped)}): the deep "
                           "side may be underestimated.")
    if explain_required:
        reasons += _explain_required_reasons(results, explained, reference, best, allowed,
                                             surrogates)
    reasons += _choice_sentences(results, choice, min_gain.value)
    if gain is None:
        level, why = "low", ["no deep model finished: nothing to compare the classical side "
                             "with"]
    else:
        level, why = confidence("classical", gain, min_gain.value, n_rows, results,
                                choice=choice, deep_undertrained=bool(capped),
                                deep_fewer_rows=bool(fewer_rows),
                                decided_by_explanation=deep_worth_it)
    return Verdict("classical", choice.model.name, level, reasons,
                   _outlook("classical", curves, gain, min_gain.value, n_rows, metric,
                            explain_required and deep_worth_it,
                            explain_required and not surrogates),
                   why)


def simplest_shown_close(results: BenchmarkResults, reference: ModelResult, families: set[str],
                         among: set[str], min_gain: float,
                         rival: tuple[ModelResult, int] | None = None) -> Choice:
    """The simplest model of `families` named in `among` that is shown within `min_gain` of
    the reference (the upper end of the 95% interval of reference - candidate lies below it,
    simultaneous over the simpler candidates examined); the reference when none is. A
    `rival` (a model and the candidates it was picked from) excludes the candidates it is
    shown to beat by more than `min_gain`."""
    candidates = [m for m in results.models if m.family in families and m.name in among
                  and m.name != reference.name
                  and m.simplicity_key < reference.simplicity_key]
    if not candidates:
        return Choice(reference, reference)
    gaps = {m.name: advantage(results, reference, m, len(candidates)) for m in candidates}
    beaten = {}
    if rival is not None:
        for m in candidates:
            lead = advantage(results, rival[0], m, rival[1])
            if lead.ci_low > min_gain:
                beaten[m.name] = lead
    shown = [m for m in candidates if gaps[m.name].ci_high < min_gain and m.name not in beaten]
    if shown:
        chosen = min(shown, key=lambda m: m.simplicity_key)
        return Choice(chosen, reference, gaps[chosen.name], n_candidates=len(candidates))
    closest = min(candidates, key=lambda m: (gaps[m.name].ci_high, m.simplicity_key))
    return Choice(reference, reference, None, (closest, gaps[closest.name]), len(candidates),
                  (rival[0], beaten[closest.name])
                  if closest.name in beaten and gaps[closest.name].ci_high < min_gain else None)


CONFIDENCE_MIN_ROWS = {"medium": 100, "high": 500}
"""Fewer rows than these cap the confidence below that level: an interval from few rows is
itself uncertain."""


def confidence(decision: str, interval: Interval, threshold: float, n_rows: int,
               results: BenchmarkResults, *, choice: Choice | None = None,
               deep_undertrained: bool = False, deep_fewer_rows: bool = False,
               decided_by_explanation: bool = False, permutation_p: float | None = None) \
        -> tuple[Confidence, list[str]]:
    """How sure the verdict is, and why, from the margin that decided it and what weakens it.

    1. The margin: how far the decisive interval's mean lies beyond its threshold, in
       half-widths of the interval (the deep gain against the minimum gain for
       `deep_learning` and `classical`, the uplift over the dummy against the minimum gain for
       `no_signal`, or the permutation p-value when it decided and the uplift agrees):
       >= 2 half-widths high (>= 3 with a single repeat of cross-validation, whose interval
       rests on few folds), >= 1 medium, else low. When the uplift and the permutation test
       disagree about `no_signal`, low.
    2. A recommendation that rests on a simpler model shown close enough is no surer than that
       non-inferiority margin, graded the same way.
    3. Fewer than 500 rows cap it at medium, fewer than 100 at low; time folds (whose
       interval is approximate) at medium.
    4. A `classical` verdict loses a level when the deep side may be underestimated: networks
       stopped at their epoch cap or the time limit per fit, or trained on fewer rows than
       the classical side.
    """
    why = []
    one_repeat = results.split.n_repeats == 1
    level = _margin_level(interval, threshold, below=decision in ("classical", "no_signal"),
                          one_repeat=one_repeat)
    margin = _margin(interval, threshold, below=decision in ("classical", "no_signal"))
    what = {"deep_learning": "the deep gain's mean clears the minimum gain",
            "classical": "the deep gain's mean stays below the minimum gain",
            "no_signal": "the uplift over the dummy stays below the minimum gain"}[decision]
    if decided_by_explanation:
        level = 2
        why.append("high: --explain-required excludes the deep models, whatever their gain")
    elif margin >= 0:
        why.append(f"{LEVELS[level]}: {what} by {margin:.1f} half-widths of its 95% interval"
                   + (" (high needs 3 with a single repeat of cross-validation)"
                      if one_repeat and level < 2 and margin >= 2 else ""))
    else:
        why.append(f"{LEVELS[level]}: {what.replace('stays below', 'is above')} "
                   f"({-margin:.1f} half-widths of its 95% interval)")
    if permutation_p is not None and permutation_p >= ALPHA:
        p_level = 2 if permutation_p >= 0.5 else 1 if permutation_p >= 0.2 else 0
        if p_level > level:
            level = p_level
            why.append(f"{LEVELS[level]}: label shuffles match the best model "
                       f"(permutation p={permutation_p:.2f})")
    if choice is not None and choice.gap is not None:
        tie = _margin_level(choice.gap, threshold, below=True, one_repeat=one_repeat)
        if tie < level:
            level = tie
            why.append(f"{LEVELS[level]}: {choice.model.name} is shown within the minimum gain "
                       f"of {choice.reference.name} by {_margin(choice.gap, threshold, True):.1f}"
                       " half-widths only")
    for cap, rows in (("medium", CONFIDENCE_MIN_ROWS["high"]),
                      ("low", CONFIDENCE_MIN_ROWS["medium"])):
        if n_rows < rows and level > LEVELS.index(cap):
            level = LEVELS.index(cap)
            why.append(f"at most {cap}: {n_rows:,} rows (fewer than {rows})")
    if results.split.strategy == "time" and level > 1:
        level = 1
        why.append("at most medium: forward-chaining folds train on different amounts of the "
                   "past, so their interval is approximate")
    if decision == "classical" and (deep_undertrained or deep_fewer_rows) and level > 0:
        level -= 1
        why.append("one level lower: the deep side may be underestimated ("
                   + "; ".join(w for w, on in (
                       ("networks stopped at their epoch cap or the time limit per fit",
                        deep_undertrained),
                       ("networks trained on fewer rows than the classical side",
                        deep_fewer_rows)) if on) + ")")
    return LEVELS[level], why


def _margin(interval: Interval, threshold: float, below: bool) -> float:
    distance = (threshold - interval.mean) if below else (interval.mean - threshold)
    half = interval.half_width
    if not half > 0:
        return float("inf") if distance > 0 else 0.0
    return distance / half


def _margin_level(interval: Interval, threshold: float, below: bool, one_repeat: bool) -> int:
    margin = _margin(interval, threshold, below)
    if margin >= (3 if one_repeat else 2):
        return 2
    return 1 if margin >= 1 else 0


def _no_signal(results, best, signal: Interval | None, permutation_p, comparison, n_rows):
    dummy = results.best({"baseline"})
    reasons = []
    if signal is not None and dummy is not None:
        # The permutation test alone can decide: the interval may then lie above 0.
        where = "includes 0" if signal.ci_low <= 0 else "is above 0"
        reasons.append(
            f"The best model, {best.name}, scores {fmt(best.mean)} {comparison.metric} against "
            f"{fmt(dummy.mean)} for the dummy baseline; the 95% interval of the gain, "
            f"{fmt(signal.ci_low)} to {fmt(signal.ci_high)}{_adjusted(signal)}, {where} "
            f"(p={signal.p_value:.3g}).")
    if permutation_p is not None:
        if permutation_p >= ALPHA:
            reasons.append(f"A label-permutation test gives p={permutation_p:.3g} (>= {ALPHA}) "
                           f"for {best.name}: scores like these also arise when labels are "
                           "shuffled.")
        else:
            reasons.append(f"A label-permutation test gives p={permutation_p:.3g} for "
                           f"{best.name}, but the uplift's interval must clear 0 as well.")
    min_gain = comparison.min_gain.value
    if signal is not None and signal.ci_low > 0:
        # The uplift says signal, the permutation test says chance: the two disagree.
        level, why = "low", [f"low: the uplift over the dummy is above 0 (95% CI "
                             f"{fmt(signal.ci_low)} to {fmt(signal.ci_high)}) but the "
                             f"label-permutation test gives p={permutation_p:.3g}: the two "
                             "tests of signal disagree"]
    elif signal is not None:  # how sure that no worthwhile signal is there
        level, why = confidence("no_signal", signal, min_gain, n_rows, results,
                                permutation_p=permutation_p)
    else:
        level, why = "low", ["no model could be compared with the dummy"]
    if signal is not None and signal.ci_high >= min_gain:
        outlook = (f"With {n_rows:,} rows a worthwhile signal is not ruled out (the uplift's "
                   f"interval reaches {fmt(signal.ci_high)} {comparison.metric}, above the "
                   f"minimum gain of {fmt(min_gain)}): more rows could show one; check also "
                   "that the features carry information about the target.")
    else:
        outlook = ("More rows of the same columns are unlikely to help: look for features that "
                   "carry information about the target, and check how the labels were made.")
    return Verdict("no_signal", dummy.name if dummy else None, level, reasons, outlook, why)


def _explained(findings: list[Finding]) -> dict[str, SurrogateFidelity] | None:
    """Per explained model, its surrogate's fidelity; None when the explainability check did
    not run or failed."""
    outcome = outcome_of(findings, ExplainabilityOutcome)
    return None if outcome is None else outcome.models


def _explain_sentence(name: str, explained: dict[str, SurrogateFidelity] | None) -> str:
    """Why --explain-required allows or excludes an ensemble or deep model, with its figures."""
    e = (explained or {}).get(name)
    if e is None:
        return (f"{name}'s surrogate fidelity was not measured: not recommended under "
                "--explain-required.")
    threshold, fidelity = e.threshold, e.fidelity
    only = "" if fidelity >= threshold else "only "
    if e.measure == "r2":
        head = f"{name}'s depth-3 surrogate reproduces its predictions with {only}R² " \
               f"{fidelity:.2f}"
        bar = f"{threshold:.2f}"
    else:
        head = f"{name}'s depth-3 surrogate agrees with it on {only}{fidelity:.0%} of test rows"
        bar = f"{threshold:.0%}"
    if e.faithful:
        return f"{head} (>= {bar}): it can be explained through the surrogate."
    if fidelity >= threshold:
        return (f"{head}, but always predicting its most common class agrees on "
                f"{e.constant_agreement:.0%}: the surrogate explains too little of it; not "
                "recommended under --explain-required.")
    return f"{head} (< {bar}): not recommended under --explain-required."


def _explain_required_reasons(results, explained, reference, best, allowed,
                              surrogates: bool = True) -> list[str]:
    metric = results.metric.name
    if not surrogates:
        reasons = ["--explain-required: on images no surrogate a person can read stands in "
                   "for an ensemble or deep model (the occlusion maps show where a model "
                   "looks, not its rules), so only models a person can read (linear, shallow "
                   "tree) are recommended"]
    elif explained is None:
        reasons = ["--explain-required: the explainability check did not run (skipped or "
                   "failed), so only models a person can read (linear, shallow tree) are "
                   "recommended"]
    else:
        reasons = [_explain_sentence(name, explained) for name, e in explained.items()
                   if e.family not in INTERPRETABLE]
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
    outcome = outcome_of(findings, PermutationOutcome)
    return None if outcome is None or outcome.p_value is None else float(outcome.p_value)


def _crossing(findings: list[Finding]) -> dict | None:
    outcome = outcome_of(findings, LearningCurveOutcome)
    return None if outcome is None else outcome.crossing


def _capped_deep_models(results: BenchmarkResults) -> list[str]:
    """Networks whose training hit its epoch cap or time limit on some fold."""
    return [m.name for m in results.models if m.family == "deep"
            and (m.capped_folds or m.cut_short_folds)]


def _deep_saw_fewer_rows(deep: ModelResult | None, classical: ModelResult | None) -> str:
    if deep is None or classical is None or deep.train_rows >= classical.train_rows:
        return ""
    return (f"{deep.name} trained on {deep.train_rows:,} rows a fold, {classical.name} on "
            f"{classical.train_rows:,}: the budget caps the slow models' rows, so the deep "
            "side may be underestimated (the learning curves project it to all the rows).")


def fmt(x: float) -> str:
    """A score or difference as the reasons quote it."""
    return f"{x:.3f}" if abs(x) < 1000 else f"{x:,.0f}"


def _adjusted(interval: Interval) -> str:
    if interval.n_compared <= 1:
        return ""
    return f", simultaneous over the {interval.n_compared} candidates it was picked from"


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
    return (f"{head} (95% CI {fmt(gain.ci_low)} to {fmt(gain.ci_high)}{_adjusted(gain)}, "
            f"p={gain.p_value:.3g}); deep learning needs a gain above {min_gain_text} with the "
            "interval's lower end above it too.")


def _cost_sentence(comparison: Comparison, deep, classical) -> str:
    r = comparison.cost_ratios
    return (f"{deep.name} costs {r['fit_seconds']:.0f}x the fit time of {classical.name} "
            f"({deep.fit_seconds:.2f} s vs {classical.fit_seconds:.2f} s a fold), "
            f"{r['predict_ms_per_1k']:.1f}x its prediction latency and "
            f"{r['size_bytes']:.1f}x its size.")


def _choice_sentences(results, choice: Choice, min_gain: float) -> list[str]:
    metric = results.metric.name
    adjusted = (f", simultaneous over the {choice.n_candidates} simpler candidates"
                if choice.n_candidates > 1 else "")
    if choice.gap is not None:
        gap = choice.gap
        return [f"{choice.model.name} is recommended as the simplest model shown within the "
                f"minimum worthwhile gain ({fmt(min_gain)}) of {choice.reference.name}: it "
                f"trails by {fmt(gap.mean)} {metric} (95% CI {fmt(gap.ci_low)} to "
                f"{fmt(gap.ci_high)}{adjusted}; the upper end is below the minimum gain)."]
    if choice.closest_rejected is not None and choice.beaten_by is not None:
        simpler, _ = choice.closest_rejected
        rival, lead = choice.beaten_by
        return [f"{simpler.name} is within the minimum worthwhile gain ({fmt(min_gain)}) of "
                f"{choice.reference.name}, but {rival.name} beats it by {fmt(lead.mean)} "
                f"{metric} (95% CI {fmt(lead.ci_low)} to {fmt(lead.ci_high)}), more than that "
                f"gain: {choice.reference.name} is recommended."]
    if choice.closest_rejected is not None:
        simpler, gap = choice.closest_rejected
        return [f"No simpler model could be shown within the minimum worthwhile gain "
                f"({fmt(min_gain)}) of {choice.reference.name}: the closest, {simpler.name}, "
                f"trails by {fmt(gap.mean)} {metric} (95% CI {fmt(gap.ci_low)} to "
                f"{fmt(gap.ci_high)}{adjusted}), so {choice.reference.name} itself is "
                "recommended."]
    return []


def _outlook(decision: str, crossing: dict | None, gain: Interval | None, min_gain: float,
             n_rows: int, metric: str, excluded_by_explanation: bool = False,
             readable_only: bool = False) -> str:
    """What would change the verdict, from the learning curves when they were measured; it
    never contradicts the decision, which rests on the measured comparison."""
    status = (crossing or {}).get("status")
    if decision == "deep_learning":
        if status == "no crossing":
            return ("The deep model's lead is measured at today's size; the learning curves "
                    "project the classical side to close the gap with more rows, so re-check "
                    "when the data grows.")
        return ("The deep model's lead is measured on this data size; more rows of the same "
                "kind usually keep or widen it.")
    if readable_only:
        return (("Deep learning would be worth it on its score alone; only dropping "
                 "--explain-required would change the verdict" if excluded_by_explanation else
                 "Under --explain-required only a linear model or a shallow tree can be "
                 "recommended on images, whatever more images or pretrained weights would "
                 "bring the networks; dropping it lets them be weighed")
                + ": no image model beyond a linear one or a shallow tree has rules a person "
                "can read.")
    if excluded_by_explanation:
        return (f"Deep learning would be worth it on {metric} alone; a deep model whose "
                "depth-3 surrogate is faithful, or dropping --explain-required, would change "
                "the verdict.")
    if gain is None:
        return "No deep model finished, so no comparison with deep learning was possible."
    if status == "crosses":
        low, high = crossing.get("rows_low"), crossing.get("rows_high")
        band = (f" (95% interval {low:,.0f} to {high:,.0f})" if low is not None
                and high is not None else "")
        return (f"Deep learning is projected to become worth it at about "
                f"{crossing['rows']:,.0f} training rows{band}, {crossing['times_today']:.1f}x "
                f"today's: collect about {crossing['rows'] * 1.25:,.0f} rows (training plus "
                "test) before trying it again.")
    if status == "deep already ahead":
        if crossing.get("deep_rows_seen"):
            return (f"Trained on all the training rows rather than the "
                    f"{crossing['deep_rows_seen']:,} it saw, the deep model is projected to "
                    "lead by the minimum worthwhile gain, which the measured comparison did not "
                    "show: measure it with a larger --budget before deciding.")
        return (f"The fitted learning curves put the deep model ahead by the minimum gain at "
                f"today's size, but the measured comparison does not show it (the gain's "
                f"interval reaches down to {fmt(gain.ci_low)} {metric}): more rows or a larger "
                "--budget could change the verdict.")
    if status == "undetermined":
        return (f"Whether deep learning would catch up with more data is undetermined: the "
                f"projected crossing's interval reaches past {crossing.get('horizon', 10):g}x "
                "today's rows, further than learning curves can be trusted.")
    if status == "no crossing":
        return (f"The deep learning curve is not projected to lead the classical one by the "
                f"minimum worthwhile gain within {crossing.get('horizon', 10):g}x today's rows: "
                "more data of the same kind is unlikely to change the verdict.")
    if gain.ci_high < min_gain:
        return (f"With {n_rows:,} rows, even the upper end of the deep model's interval "
                f"({fmt(gain.ci_high)} {metric}) stays below the worthwhile gain: more data of "
                "the same kind is unlikely to change the verdict soon.")
    return (f"The deep model's worthwhile gain is not ruled out (its interval reaches "
            f"{fmt(gain.ci_high)} {metric}): more rows or a larger budget could change the "
            "verdict.")


def _evidence(finding: Finding) -> str:
    items = list(finding.evidence.items())[:3]
    return ", ".join(f"{k}={v}" for k, v in items)

"""Networks are not brains: how each model holds up under noisy features, how sure it is about
rows unlike any it saw, and how small an adversarial nudge flips a network's predictions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from dlcheck.benchmark.jobs import JobResult
from dlcheck.benchmark.results import BenchmarkResults
from dlcheck.benchmark.stats import goodness_sign
from dlcheck.checks.base import IMAGES, TABLES, CheckContext, NotApplicable
from dlcheck.checks.image_robustness import image_robustness_findings
from dlcheck.checks.robustness_parts import TABLE_NOISE, NoiseWording, best_of, join_names
from dlcheck.findings import Finding, rounded
from dlcheck.probes import adversarial as adv
from dlcheck.probes import probe_hook
from dlcheck.probes import robustness as probe

MIN_RELATIVE_EDGE = 0.1
"""A model's edge over the dummy smaller than this share of the dummy's score is too thin for
'share of the edge kept' to mean anything: the ratio would be mostly noise (ROC-AUC: an edge
under 0.05 over 0.5; RMSE: under 10% below the dummy's)."""


@dataclass(frozen=True)
class Robustness:
    """Probes every model of the benchmark (the baseline aside) on the first fold(s), on the fit
    the benchmark made there (refitted where the run kept none; benchmark.fit_cache)
    (`dlcheck.probes.robustness`): its score under Gaussian noise of 0.1, 0.3 and 1 training std
    on every numeric feature; its confidence on random rows from outside the data and on
    all-zero and all-mean rows (for a regression, how far its predictions on them leave the training
    targets' range); and for each network the smallest FGSM and universal perturbations that
    flip 10% of its predictions, next to random ones of the same size."""

    code: ClassVar[str] = "robustness"
    title: ClassVar[str] = "Networks are not brains: robustness"
    kinds: ClassVar[frozenset[str]] = TABLES | IMAGES
    probes_fitted_models: ClassVar[bool] = True
    n_folds: int = 1
    """Folds of the first repeat refitted and probed; figures are averaged over them."""
    noise_edge_lost_warning: float = 0.25
    """Share of its edge over the dummy the best model may lose under the smallest noise level
    (0.1 std) before it is a warning: features measured a little less precisely in production
    would cost that much of what the model adds."""
    confident_on_noise: float = 0.9
    """Mean top-class probability on random rows at or above which a classifier is flagged: it
    claims to know the answer for rows unlike any it was trained on."""
    outside_target_range: float = 0.5
    """Share of random rows a regression model predicts outside the range of the training
    targets at or above which it is flagged: it invents values it never saw for them."""

    def run(self, context: CheckContext) -> list[Finding]:
        if context.run_jobs is None:
            raise NotApplicable("no executor to refit the models")
        if context.dataset.kind == "image":
            return image_robustness_findings(self, context)
        if not context.dataset.numeric_columns:
            raise NotApplicable("no numeric feature: noise, rows from outside the data and "
                                "adversarial perturbations all act on numeric features")
        results = context.results
        figures, failed, fold_ids = self.probe(context, "robustness")
        findings = [f for f in (
            self.noise_finding(results, figures, fold_ids),
            self._confidence(results, figures, context.dataset.classes)
            if results.task != "regression" else self._extrapolation(figures),
            self._adversarial(results, figures, context.dataset.classes),
        ) if f is not None]
        if failed:
            for f in findings:
                f.evidence["failed_refits"] = dict(failed)
        return findings

    def probe(self, context: CheckContext, probe_name: str) \
            -> tuple[dict[str, dict], dict[str, str], list[str]]:
        """Every model but the baseline refitted on the first fold(s) and probed there: its
        figures (averaged over the folds), the refits that failed, and the folds' ids."""
        results = context.results
        # A tuned variant stands for its default (see the tuning check): refit it instead.
        models = [m for m in results.models
                  if m.family != "baseline" and not getattr(m, "tuned_variant", "")]
        if not models:
            raise NotApplicable("no model besides the baseline")
        folds = results.split.probe_folds(self.n_folds)
        # Slowest first, so that the workers finish together.
        jobs = [m.job(fold, after_fit=probe_hook(probe_name))
                for m in sorted(models, key=lambda m: -m.fit_seconds) for fold in folds]
        done = context.run_jobs(jobs)
        by_model: dict[str, list[JobResult]] = {}
        failed: dict[str, str] = {}
        for r in done:
            if r.ok and probe_name in r.extras:
                by_model.setdefault(r.model, []).append(r)
            else:
                failed.setdefault(r.model, r.error or "no figures")
        if not by_model:
            raise RuntimeError(f"the refits failed: {next(iter(failed.values()))}")
        figures = {m.name: _average([r.extras[probe_name] for r in by_model[m.name]])
                   for m in models if m.name in by_model}
        return figures, failed, [f.id for f in folds]

    # -- noise ------------------------------------------------------------------------------
    def noise_finding(self, results: BenchmarkResults, figures: dict[str, dict],
               fold_ids: list[str], wording: NoiseWording | None = None) -> Finding | None:
        wording = wording or TABLE_NOISE
        metric = results.metric
        sign = goodness_sign(metric.greater_is_better)
        levels = list(next(iter(figures.values()))["noise"]["levels"])
        dummy = _dummy_score(results, fold_ids)
        per_model: dict[str, dict[str, Any]] = {}
        for name, fig in figures.items():
            clean = fig["noise"]["clean"].get(metric.name)
            noisy = [s.get(metric.name) for s in fig["noise"]["noisy"]]
            if clean is None or len(noisy) != len(levels) or None in noisy:
                continue
            edge = None if dummy is None else sign * (clean - dummy)
            meaningful = edge is not None and edge > MIN_RELATIVE_EDGE * abs(dummy)
            kept = [rounded(sign * (s - dummy) / edge) if meaningful else None for s in noisy]
            per_model[name] = {
                "clean": rounded(clean), "noisy": [rounded(s) for s in noisy],
                "loss": [rounded(sign * (clean - s)) for s in noisy], "edge_kept": kept}
        if not per_model:
            return None
        best = best_of(results, per_model)
        b = per_model[best.name]
        scores = join_names([f"{s:.3f}" for s in b["noisy"]])
        summary = (f"Under Gaussian noise of {_levels(levels)} {wording.unit}, "
                   f"{best.name} (the best model) goes from {metric.name} "
                   f"{b['clean']:.3f} to {scores} respectively")
        if None not in b["edge_kept"]:
            summary += (" (it keeps " + join_names([f"{k:.0%}" for k in b["edge_kept"]])
                        + " of its edge over the dummy)")
        summary += "."
        middle = len(levels) // 2
        # Shares of the edge compare across models; raw losses only where no edge is thick.
        thick = [n for n in per_model if per_model[n]["edge_kept"][middle] is not None]
        ranked = sorted(thick, key=lambda n: -per_model[n]["edge_kept"][middle]) if thick \
            else sorted(per_model, key=lambda n: per_model[n]["loss"][middle])
        if len(ranked) > 1:
            most, least = ranked[0], ranked[-1]
            summary += (f" At {levels[middle]:g} {wording.short} the most robust model is {most} "
                        f"({_describe(per_model[most], middle, metric.name)}), the least "
                        f"{least} ({_describe(per_model[least], middle, metric.name)}).")
        lost = None if b["edge_kept"][0] is None else 1.0 - b["edge_kept"][0]
        fragile = lost is not None and lost >= self.noise_edge_lost_warning
        evidence = {"metric": metric.name, "levels": levels, "level_unit": wording.evidence,
                    "dummy_score": rounded(dummy), "best_model": best.name,
                    "most_robust": ranked[0], "least_robust": ranked[-1],
                    "rows_scored": _rows(figures), "models": per_model,
                    "edge_lost_warning": self.noise_edge_lost_warning}
        if fragile:
            return Finding(
                self.code, "warning", summary + f" Noise of {levels[0]:g} {wording.short} "
                f"already costs {best.name} {lost:.0%} of what it adds over the dummy.",
                evidence, wording.fragile_advice)
        return Finding(self.code, "info", summary, evidence, wording.advice)

    # -- confidence off the data ------------------------------------------------------------
    def _confidence(self, results: BenchmarkResults, figures: dict[str, dict],
                    classes: list[str]) -> Finding | None:
        per_model = {name: dict(fig["confidence"]) for name, fig in figures.items()
                     if fig.get("confidence", {}).get("random") is not None}
        if not per_model:
            return None
        for c in per_model.values():
            top = c.get("random_top_class")
            c["random_top_class"] = classes[top] if top is not None and 0 <= top < len(
                classes) else top
        flagged = [n for n, c in per_model.items() if c["random"] >= self.confident_on_noise]
        evidence = {"models": per_model, "threshold": self.confident_on_noise,
                    "confident_on_noise": flagged, "random_rows": probe.N_RANDOM_ROWS,
                    "random_rows_are": "numeric features uniform over the training 1%..99% "
                    f"range widened by {probe.RANDOM_WIDEN:.0%} of it on each side, "
                    "independently; categories uniform over the seen ones",
                    "blank_rows_are": "numeric features all 0 (zeros) or at their training "
                    "mean (means); categories at their most frequent value"}
        if flagged:
            parts = [f"{n} {per_model[n]['random']:.2f} (on real test rows "
                     f"{per_model[n]['test']:.2f})" for n in flagged]
            summary = (f"{join_names(flagged)} {'is' if len(flagged) == 1 else 'are'} confident "
                       f"about random rows unlike any training row: mean top-class probability "
                       f"on {probe.N_RANDOM_ROWS:,} random rows {'; '.join(parts)}; "
                       f"chance is {1 / max(len(classes), 1):.2f}.")
            worst = max(flagged, key=lambda n: per_model[n]["random"])
            c = per_model[worst]
            summary += (f" {worst} gives class {c['random_top_class']!r} to "
                        f"{c['random_top_class_share']:.0%} of them; on an all-zero row it is "
                        f"{c['zeros']:.2f} sure, on an all-mean row {c['means']:.2f}.")
            return Finding(
                self.code, "warning", summary, evidence,
                "Its probabilities say nothing about inputs unlike the training data: check "
                "that production rows fall inside the training ranges (or add a novelty "
                "detector) before trusting its confidence.")
        low = min(per_model, key=lambda n: per_model[n]["random"])
        high = max(per_model, key=lambda n: per_model[n]["random"])
        summary = (f"No model is confident about random rows (threshold "
                   f"{self.confident_on_noise:g}): mean top-class probability on "
                   f"{probe.N_RANDOM_ROWS:,} random rows ranges from "
                   f"{per_model[low]['random']:.2f} ({low}) to {per_model[high]['random']:.2f} "
                   f"({high}); chance is {1 / max(len(classes), 1):.2f}.")
        more_sure = [n for n, c in per_model.items()
                     if c.get("test") is not None and c["random"] > c["test"]]
        if more_sure:
            summary += (f" Still, {join_names(more_sure)} {'is' if len(more_sure) == 1 else 'are'} "
                        "more sure about them than about real test rows.")
        return Finding(self.code, "info", summary, evidence,
                       "Confidence on rows unlike the training data means little for any "
                       "model: keep production inputs inside the training ranges.")

    def _extrapolation(self, figures: dict[str, dict]) -> Finding | None:
        per_model = {name: fig["extrapolation"] for name, fig in figures.items()
                     if fig.get("extrapolation", {}).get("random_share_outside") is not None}
        if not per_model:
            return None
        flagged = [n for n, e in per_model.items()
                   if e["random_share_outside"] >= self.outside_target_range]
        evidence = {"models": per_model, "threshold": self.outside_target_range,
                    "outside_target_range": flagged, "random_rows": probe.N_RANDOM_ROWS,
                    "excess_unit": "training target standard deviation"}
        worst = max(per_model, key=lambda n: (per_model[n]["random_share_outside"],
                                              per_model[n]["random_mean_excess_std"] or 0))
        e = per_model[worst]
        headline = (f"On {probe.N_RANDOM_ROWS:,} random rows unlike the training data, {worst} "
                    f"predicts outside the range of the training targets for "
                    f"{e['random_share_outside']:.0%} of them (up to "
                    f"{e['random_max_excess_std']:.1f} target std beyond it)")
        if flagged:
            return Finding(
                self.code, "warning",
                f"{join_names(flagged)} {'invents' if len(flagged) == 1 else 'invent'} values for "
                f"rows unlike any training row. {headline}.", evidence,
                "Its predictions on inputs outside the training ranges are extrapolations no "
                "data supports: check that production rows fall inside those ranges.")
        return Finding(self.code, "info", headline + "; no model does so for "
                       f"{self.outside_target_range:.0%} of them or more.", evidence,
                       "Keep production inputs inside the training ranges: predictions "
                       "outside them are extrapolations.")

    # -- adversarial ------------------------------------------------------------------------
    def _adversarial(self, results: BenchmarkResults, figures: dict[str, dict],
                     classes: list[str]) -> Finding | None:
        per_model = {name: dict(fig["adversarial"]) for name, fig in figures.items()
                     if "fgsm_eps" in fig.get("adversarial", {})}
        if not per_model:
            return None
        for a in per_model.values():
            aim = a.get("universal_aim")
            if isinstance(aim, str) and aim.startswith("class:"):
                k = int(aim.split(":")[1])
                a["universal_aim"] = f"class {classes[k]!r}" if k < len(classes) else aim
        best = best_of(results, per_model)
        a = per_model[best.name]
        share, limit = adv.FLIP_SHARE, adv.EPS_MAX
        if a["fgsm_eps"] is None:
            summary = (f"No FGSM perturbation up to {limit:g} std per feature flips "
                       f"{share:.0%} of {best.name}'s predictions.")
        else:
            summary = (f"FGSM flips {share:.0%} of {best.name}'s predictions at eps="
                       f"{a['fgsm_eps']:.3g} (in feature std units); random noise of that size "
                       f"flips {a['random_flip_share_at_fgsm_eps']:.1%}")
            summary += (f" and needs eps={a['random_eps']:.3g} to flip {share:.0%}."
                        if a["random_eps"] is not None else
                        f" and does not flip {share:.0%} below eps={limit:g}.")
        if a["universal_eps"] is None:
            summary += f" No single vector up to {limit:g} std flips {share:.0%} of them."
        else:
            summary += (f" One vector added to every row ({a['universal_aim']}) flips "
                        f"{share:.0%} at eps={a['universal_eps']:.3g}, where a random vector "
                        f"of that size flips "
                        f"{a['random_universal_flip_share_at_universal_eps']:.1%}.")
        evidence = {"model": best.name, "models": per_model,
                    "space": "the network's inputs: numeric features quantile-normalised "
                    "(eps in standard deviations, L-infinity); categories untouched",
                    "target_flip_share": share, "eps_max": limit,
                    "numeric_embeddings": {n: a.get("numeric_embedding")
                                           for n, a in per_model.items()}}
        bounded: dict[str, list[str]] = {}  # the embedding bound's note -> networks
        for n, a in per_model.items():
            if a.get("numeric_embedding_bounded"):
                bounded.setdefault(a["numeric_embedding"], []).append(n)
        for note, names in bounded.items():
            summary += (f" On this wide table {join_names(names)} "
                        f"{'has' if len(names) == 1 else 'have'} {note}.")
        return Finding(self.code, "info", summary, evidence,
                       "Small, aimed changes of the inputs move a network's predictions far "
                       "more than noise does: where inputs can be manipulated (fraud, abuse), "
                       "do not rely on the network alone.")


def _dummy_score(results: BenchmarkResults, fold_ids: list[str]) -> float | None:
    baseline = next((m for m in results.models if m.family == "baseline"), None)
    if baseline is None:
        return None
    scores = [s for fid, s in zip(baseline.fold_ids, baseline.fold_scores, strict=True)
              if fid in fold_ids]
    return float(np.mean(scores)) if scores else float(baseline.mean)


def _describe(model: dict, level: int, metric: str) -> str:
    kept = model["edge_kept"][level]
    if kept is not None:
        return f"keeps {kept:.0%} of its edge"
    return f"{metric} {model['loss'][level]:+.3f} worse"


def _levels(levels: list[float]) -> str:
    return join_names([f"{x:g}" for x in levels])


def _rows(figures: dict[str, dict]) -> int:
    return int(max(fig.get("rows", 0) for fig in figures.values()))


def _average(dicts: list[dict]) -> dict:
    """Figures of several folds as one: floats averaged (None left out), other values (counts,
    class codes, names) from the first fold."""
    if len(dicts) == 1:
        return dicts[0]
    first = next((d for d in dicts if d is not None), None)
    if isinstance(first, dict):
        return {k: _average([d[k] for d in dicts if isinstance(d, dict) and k in d])
                for k in first}
    if isinstance(first, list):
        if all(isinstance(d, list) and len(d) == len(first) for d in dicts):
            return [_average([d[i] for d in dicts]) for i in range(len(first))]
        return first
    if not isinstance(first, float):
        return first
    return rounded(float(np.mean([d for d in dicts if isinstance(d, float)])))

"""Black boxes: what the best classical and the best deep model rely on, side by side, and
whether a depth-3 tree a person can read reproduces each of them (a faithful surrogate)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from scipy.stats import spearmanr

from dlcheck.benchmark.compare import CLASSICAL
from dlcheck.benchmark.results import BenchmarkResults
from dlcheck.checks.base import IMAGES, TABLES, CheckContext, NotApplicable
from dlcheck.checks.image_explainability import IMAGE_FOLDS, image_explanation_findings
from dlcheck.checks.outcomes import ExplainabilityOutcome, SurrogateFidelity
from dlcheck.findings import Finding, rounded
from dlcheck.probes import probe_hook
from dlcheck.probes.explain import SURROGATE_DEPTH

PROBE = "explain"


@dataclass(frozen=True)
class Explainability:
    """Probes the best classical, the best deep and the best ensemble model on the first folds
    (their fits from the benchmark, refitted where the run kept none) with the `explain` probe
    (dlcheck.probes.explain): permutation importance per column of the user's table, and a
    depth-3 surrogate tree fitted to each model's own predictions."""

    code: ClassVar[str] = "explainability"
    title: ClassVar[str] = "Black boxes: importance and surrogate fidelity"
    kinds: ClassVar[frozenset[str]] = TABLES | IMAGES
    probes_fitted_models: ClassVar[bool] = True
    faithful_fidelity: float = 0.9
    """A surrogate is faithful when it agrees with the model's predicted class on at least this
    share of test rows (classification), or reproduces at least this R² of the model's
    predictions (regression): then its eight rules describe what the model does on nine rows
    in ten, and --explain-required lets the model be recommended."""
    min_skill_over_constant: float = 0.5
    """Classification: the surrogate must also fix at least this share of the disagreements
    left by always predicting the model's most common class (a skill score against that
    guess), so that a model that nearly always predicts the majority is not called explained
    by a tree that always predicts it."""
    n_folds: int = 2
    """Folds of the first repeat the models are refitted and explained on (figures are their
    means): a deep model's refit dominates the cost, and two folds run side by side on two
    cores in the time of one."""
    n_top: int = 5
    """Columns named per model in the summary, and compared between the two models."""

    def probe_fold_count(self, kind: str) -> int:
        """Folds probed on this kind of data: images explain the first fold only."""
        return IMAGE_FOLDS if kind == "image" else self.n_folds

    def run(self, context: CheckContext) -> list[Finding]:
        if context.run_jobs is None:
            raise NotApplicable("no executor to refit the models")
        results = context.results
        roles = _models_to_explain(results)
        if not roles:
            raise NotApplicable("no classical or deep model to explain")
        if context.dataset.kind == "image":
            return image_explanation_findings(self, context, roles)
        folds = results.split.probe_folds(self.n_folds)
        jobs = [results.get(name).job(fold, after_fit=probe_hook(PROBE)) for name in roles
                for fold in folds]
        jobs.sort(key=lambda j: -results.get(j.label).fit_seconds)  # the longest first
        done = sorted(context.run_jobs(jobs), key=lambda r: r.fold_id)
        explained, failed = {}, {}
        for name, model_roles in roles.items():
            mine = [r for r in done if r.model == name]
            figures = [r.extras[PROBE] for r in mine if r.ok and PROBE in r.extras]
            if figures:
                explained[name] = self._summarize(results.get(name).family, model_roles,
                                                  figures, context.dataset.classes)
            else:
                failed[name] = next((r.error for r in mine if r.error), "no result")
        if not explained:
            raise RuntimeError(f"the refits to explain failed: {failed}")
        repeats = next((r.extras[PROBE].get("importance_repeats", 0) for r in done
                        if r.ok and PROBE in r.extras), 0)
        return [self._finding(results, explained, failed, len(folds), repeats)]

    def _summarize(self, family: str, roles: list[str], figures: list[dict],
                   classes: list[str]) -> dict[str, Any]:
        """One model's figures, averaged over its folds."""
        fidelity = float(np.mean([f["fidelity"] for f in figures]))
        classification = figures[0]["fidelity_measure"] == "agreement"
        constant = float(np.mean([f["constant_agreement"] for f in figures])) \
            if classification else None
        skill = None
        if constant is not None and constant < 1.0:
            skill = (fidelity - constant) / (1.0 - constant)
        faithful = fidelity >= self.faithful_fidelity and \
            (skill is None or skill >= self.min_skill_over_constant)
        importance, spread = (_rounded(d) for d in _mean_importance(figures))
        top = _top(importance, spread, self.n_top)
        return {
            "family": family, "roles": roles,
            "importance": importance, "importance_std": spread,
            "top_columns": top,
            "fidelity": rounded(fidelity),
            "fidelity_folds": [rounded(f["fidelity"]) for f in figures],
            "constant_agreement": rounded(constant),
            "skill_over_constant": rounded(skill),
            "faithful": bool(faithful),
            "surrogate_score": rounded(np.mean([f["surrogate_score"] for f in figures])),
            "model_score": rounded(np.mean([f["model_score"] for f in figures])),
            "surrogate_rules": render_rules(figures[0]["surrogate_tree"], classes),
            "surrogate_rules_fold": figures[0].get("fold"),
        }

    def _finding(self, results: BenchmarkResults, explained: dict[str, dict],
                 failed: dict[str, str], n_folds: int, repeats: int) -> Finding:
        metric = results.metric.name
        classical = next((n for n, e in explained.items() if "best classical" in e["roles"]),
                         None)
        deep = next((n for n, e in explained.items() if "best deep" in e["roles"]), None)
        agreement = None
        if classical and deep:
            agreement = _agreement(explained[classical], explained[deep], self.n_top)
        measure = "agreement" if results.task != "regression" else "r2"
        sentences = []
        ranked = [f"{name}: " + (", ".join(f"{c} {e['importance'][c]:.3g}"
                                           for c in e["top_columns"]) or "no column matters")
                  for name, e in explained.items() if e["importance"]]
        if ranked:
            sentences.append(f"Loss of {metric} when a column is shuffled (permutation "
                             f"importance), by model: {'; '.join(ranked)}.")
        if agreement is not None:
            sentences.append(
                f"{classical} and {deep} share {agreement['top_overlap']} of their top "
                f"{agreement['top_n']} columns" + (
                    f" (Spearman rank correlation of all importances "
                    f"{agreement['spearman']:.2f})." if agreement["spearman"] is not None
                    else "."))
        sentences.append(self._fidelity_sentence(explained, measure))
        if failed:
            sentences.append(f"Could not be explained: {', '.join(failed)}.")
        evidence = {
            "metric": metric,
            "importance_measure": f"loss of {metric} when the column is shuffled on the test "
                                  f"rows, mean of {repeats} shuffles x {n_folds} folds",
            "fidelity_measure": measure,
            "faithful_fidelity": self.faithful_fidelity,
            "min_skill_over_constant": self.min_skill_over_constant,
            "surrogate_depth": SURROGATE_DEPTH,
            "n_folds": n_folds,
            "models": explained,
            "agreement": agreement,
            "failed": failed,
        }
        faithful = [n for n, e in explained.items() if e["faithful"]]
        advice = ("Read each faithful model's surrogate rules in the evidence: they describe what "
                  "it does in terms a person can check. "
                  if faithful else
                  "No surrogate is faithful: explain individual predictions (e.g. SHAP values) "
                  "rather than the whole model, or prefer a linear model or shallow tree where "
                  "decisions must be justified. ")
        advice += ("With --explain-required, an ensemble or deep model is recommended only when "
                   f"its surrogate is faithful (>= {self.faithful_fidelity:.0%}).")
        outcome = ExplainabilityOutcome({
            name: SurrogateFidelity(family=e["family"], fidelity=e["fidelity"],
                                    faithful=e["faithful"],
                                    constant_agreement=e["constant_agreement"],
                                    threshold=self.faithful_fidelity, measure=measure)
            for name, e in explained.items()})
        return Finding(self.code, "info", " ".join(sentences), evidence, advice,
                       outcome=outcome)

    def _fidelity_sentence(self, explained: dict[str, dict], measure: str) -> str:
        parts = []
        for name, e in explained.items():
            if measure == "agreement":
                text = f"{name} on {e['fidelity']:.0%} of test rows"
                if e["constant_agreement"] is not None and e["fidelity"] >= \
                        self.faithful_fidelity and not e["faithful"]:
                    text += (f" (but always predicting its most common class agrees on "
                             f"{e['constant_agreement']:.0%})")
            else:
                text = f"R² {e['fidelity']:.2f} for {name}"
            parts.append(text)
        head = (f"Depth-{SURROGATE_DEPTH} surrogate trees agree with " if measure == "agreement"
                else f"Depth-{SURROGATE_DEPTH} surrogate trees reproduce the predictions with ")
        threshold = (f"{self.faithful_fidelity:.0%}" if measure == "agreement"
                     else f"R² {self.faithful_fidelity:.2f}")
        faithful = [n for n, e in explained.items() if e["faithful"]]
        others = [n for n in explained if n not in faithful]
        verdicts = []
        if faithful:
            verdicts.append(f"{_names(faithful)} can be explained through "
                            f"{'its surrogate' if len(faithful) == 1 else 'their surrogates'}")
        if others:
            verdicts.append(f"{_names(others)} cannot" if faithful else
                            f"{_names(others)} cannot be explained through "
                            f"{'its surrogate' if len(others) == 1 else 'their surrogates'}")
        return (head + ", ".join(parts) + f". Faithful at >= {threshold}: "
                + "; ".join(verdicts) + ".")


def _models_to_explain(results: BenchmarkResults) -> dict[str, list[str]]:
    """Best classical, best deep and (when another) best ensemble: name -> roles."""
    roles: dict[str, list[str]] = {}
    for role, families in (("best classical", CLASSICAL), ("best deep", {"deep"}),
                           ("best ensemble", {"ensemble"})):
        model = results.best(families)
        if model is not None:
            roles.setdefault(model.name, []).append(role)
    return roles


def _mean_importance(figures: list[dict]) -> tuple[dict[str, float], dict[str, float]]:
    """Mean importance per column over folds, and the pooled spread of the shuffles."""
    usable = [f for f in figures if f.get("importance")]
    if not usable:
        return {}, {}
    columns = list(usable[0]["importance"])
    with warnings.catch_warnings():  # a column whose every score was undefined stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = {c: float(np.nanmean([f["importance"][c] for f in usable])) for c in columns}
        spread = {c: float(np.sqrt(np.nanmean([f["importance_std"][c] ** 2 for f in usable])))
                  for c in columns}
    return mean, spread


def _top(importance: dict[str, float | None], spread: dict[str, float | None], n: int) \
        -> list[str]:
    """The n most important columns, among those whose shuffling costs more than the spread
    of the shuffles."""
    helpful = [c for c, v in importance.items()
               if v is not None and v > 0 and v > (spread.get(c) or 0.0)]
    return sorted(helpful, key=lambda c: -importance[c])[:n]


def _agreement(a: dict[str, Any], b: dict[str, Any], n_top: int) -> dict[str, Any] | None:
    """How far two models rely on the same columns: overlap of their top columns, and the
    rank correlation of all their importances."""
    columns = [c for c in a["importance"] if a["importance"][c] is not None
               and b["importance"].get(c) is not None]
    if not columns:
        return None
    top_a, top_b = set(a["top_columns"][:n_top]), set(b["top_columns"][:n_top])
    rho = None
    if len(columns) >= 3:
        with warnings.catch_warnings():  # constant importances: undefined, reported as None
            warnings.simplefilter("ignore")
            rho = rounded(spearmanr([a["importance"][c] for c in columns],
                                   [b["importance"][c] for c in columns]).statistic)
    return {"top_n": max(len(top_a), len(top_b)), "top_overlap": len(top_a & top_b),
            "shared_top": sorted(top_a & top_b), "spearman": rho}


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def render_rules(nodes: list[dict[str, Any]], classes: list[str]) -> str:
    """The surrogate tree as indented if/else lines, leaves with their share of rows."""
    lines = []
    for node in nodes:
        pad = "  " * node["depth"]
        if "if" in node:
            lines.append(f"{pad}if {node['if']}:")
        elif "else" in node:
            lines.append(f"{pad}else ({node['else']}):")
        else:
            label = node["value"] if "value" in node else (
                classes[node["class"]] if node["class"] < len(classes) else node["class"])
            share = "<1%" if 0 < node["share"] < 0.005 else f"{node['share']:.0%}"
            lines.append(f"{pad}-> {label} ({share} of rows)")
    return "\n".join(lines)


def _rounded(values: dict[str, float]) -> dict[str, float | None]:
    return {k: rounded(v) for k, v in values.items()}

"""Wrong labels: how many rows look mislabeled, read where a model is sure of the class.

A label that disagrees with a model can be wrong, or the row can be hard: a rare class whose
probability is a weak function of the features puts many rows near the boundary, and
confident learning (Northcutt et al. 2021) counts those as label errors (5.4% of a credit
table with 3.3% defaults, where the calibrated probabilities explain every disagreement).
The data alone cannot tell a wrong label from an uncertain outcome; what it can tell is how
often labels disagree where the model is sure. So the check follows the anchor-point idea of
noisy-label learning (Scott et al. 2013; Patrini et al. 2017): among the rows a model gives
one class at least `confidence` probability, a clean problem's labels almost always agree,
and the share that disagree estimates the rate at which that class's labels are flipped;
applied to every row the model assigns to the class, it estimates the share of wrong labels
(class-conditional noise, Natarajan et al. 2013). That share is then set against what the
model's own probabilities predict for the same rows: labels drawn from the probabilities
(`n_draws` times, fixed seed) give the share expected from its uncertainty alone, and a
warning needs the observed share beyond the upper end of that range.

Limits: probabilities learned from noisy labels absorb part of the noise. A model calibrated
so well that it gives its surest rows exactly 1 - noise rate would explain every flipped
label as uncertainty; the ladder's models are sharper than that where they are sure, which is
what lets the count see flipped labels (10% flipped: 11.8% estimated against 4.7% expected
from logistic regression, 10.3% against 7.5%, up to 8.8%, from the MLP: the better calibrated
the model, the thinner the margin). Noise that only strikes hard rows, or a class the model is
never sure about, is not seen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dlcheck.benchmark.fitting import imbalance_ratio
from dlcheck.benchmark.results import ModelResult
from dlcheck.checks.base import IMAGES, TABLES, CheckContext, NotApplicable, unit
from dlcheck.data.tabular.prepare import TableData
from dlcheck.findings import Finding, rounded
from dlcheck.models.spec import IMBALANCE_RATIO_FOR_CLASS_WEIGHTS


@dataclass(frozen=True)
class WrongLabels:
    code: ClassVar[str] = "wrong_labels"
    title: ClassVar[str] = "Wrong labels"
    kinds: ClassVar[frozenset[str]] = TABLES | IMAGES
    warning_share: float = 0.05
    """Estimated share of mislabeled rows at which the labels deserve a review (when it also
    exceeds what the model's uncertainty explains)."""
    confidence: float = 0.9
    """Probability of a class from which the model is sure of it: where labels are read."""
    min_sure_rows: int = 30
    """Rows the model is sure of a class needs before that class's disagreement counts."""
    n_draws: int = 200
    """Label draws from the model's probabilities for the expected share."""
    expected_quantile: float = 0.95
    """Upper end of the expected share that the observed share must exceed to warn."""
    n_suspects: int = 20

    def run(self, context: CheckContext) -> list[Finding]:
        prepared, results = context.dataset, context.results
        if prepared.task == "regression":
            raise NotApplicable("label errors are estimated for classes")
        candidates = [m for m in results.models
                      if m.family != "baseline" and not m.tuned_variant
                      and m.name in results.out_of_fold]
        if not candidates:
            raise NotApplicable("no model besides the baseline")
        probabilities = {m.name: unweighted_probabilities(m, results.out_of_fold[m.name],
                                                           prepared, context) for m in candidates}
        covered = np.logical_and.reduce([np.isfinite(p).all(axis=1)
                                         for p in probabilities.values()])
        if covered.sum() == 0:
            raise NotApplicable("no row has out-of-fold probabilities")
        labels = prepared.y[covered]
        # The check reads probabilities, so the model whose probabilities are best by a proper
        # scoring rule (log loss) reads them, not the best ranker: an overconfident model
        # would call every hard row a label error.
        name = min(probabilities, key=lambda n: _log_loss(labels, probabilities[n][covered]))
        proba = probabilities[name][covered]
        observed = disagreement_where_sure(labels, proba, self.confidence, self.min_sure_rows)
        drawn = self._expected(proba, context.seed)
        expected, high = float(drawn.mean()), float(np.quantile(drawn, self.expected_quantile))
        evidence = self._evidence(prepared, covered, labels, proba, name, observed,
                                  expected, high)
        warn = observed["share"] >= self.warning_share and observed["share"] > high
        return [self._finding(evidence, warn, prepared.kind)]

    def _expected(self, proba: np.ndarray, seed: int) -> np.ndarray:
        """The estimated share on labels drawn from the probabilities, once per draw."""
        rng = np.random.default_rng(seed)
        cumulative = np.cumsum(proba, axis=1)
        shares = []
        for _ in range(self.n_draws):
            u = rng.random(len(proba))[:, None]
            drawn = np.minimum((u > cumulative).sum(axis=1), proba.shape[1] - 1)
            shares.append(disagreement_where_sure(drawn, proba, self.confidence,
                                                  self.min_sure_rows)["share"])
        return np.asarray(shares)

    def _evidence(self, prepared: TableData, covered: np.ndarray, labels: np.ndarray,
                  proba: np.ndarray, model: str, observed: dict, expected: float,
                  high: float) -> dict:
        from cleanlab.rank import get_label_quality_scores

        n = len(labels)
        # Most suspected: the lowest label quality, the probability given to the label
        # (cleanlab's self-confidence score).
        quality = get_label_quality_scores(labels, proba, method="self_confidence")
        ranked = np.argsort(quality, kind="stable")[: self.n_suspects]
        rows = np.flatnonzero(covered)[ranked]
        source_rows = prepared.source_rows[rows] if prepared.source_rows is not None else rows
        predicted = proba[ranked].argmax(axis=1)
        suspects = [{"row": int(r), "label": _name(prepared.classes[labels[i]]),
                     "predicted": _name(prepared.classes[c]),
                     "probability_of_predicted": round(float(proba[i, c]), 4),
                     "probability_of_label": round(float(proba[i, labels[i]]), 4),
                     **prepared.describe_row(int(p))}
                    for r, p, i, c in zip(source_rows, rows, ranked, predicted, strict=True)]
        return {
            "estimated_share": round(observed["share"], 4),
            "estimated_rows": int(round(observed["share"] * n)),
            "expected_share": round(expected, 4), "expected_share_high": round(high, 4),
            "expected_rows": int(round(expected * n)),
            "expected_rows_high": int(round(high * n)),
            "sure_rows": observed["sure_rows"], "disagreeing_sure_rows": observed["disagreeing"],
            "disagreement_where_sure": {_name(prepared.classes[c]): rounded(d)
                                        for c, d in observed["per_class"].items()},
            "rows_checked": int(n), "model": model, "confidence": self.confidence,
            "most_suspected_rows": [s["row"] for s in suspects], "most_suspected": suspects,
            "row_numbering": "0-based positions of data rows in the input table"
            if prepared.kind == "table" else "0-based positions of the images used",
        }

    def _finding(self, e: dict, warn: bool, kind: str = "table") -> Finding:
        rows, row = unit(kind), unit(kind, plural=False)
        sure = (f"Where {e['model']} gives a class at least {e['confidence']:.0%} probability "
                f"({e['sure_rows']:,} of {e['rows_checked']:,} {rows}), "
                f"{e['disagreeing_sure_rows']:,} labels disagree with it")
        extent = (f"about {e['estimated_share']:.1%} wrong labels in all "
                  f"({e['estimated_rows']:,} {rows}), against {e['expected_share']:.1%} "
                  f"({e['expected_rows']:,}; up to {e['expected_share_high']:.1%}) expected from "
                  "the model's own uncertainty")
        top = e["most_suspected"][0] if e["most_suspected"] else None
        example = (f" The most suspected {row} ({top['row']}) is labelled {top['label']!r}; the "
                   f"model gives {top['predicted']!r} {top['probability_of_predicted']:.0%}."
                   if top else "")
        if not e["sure_rows"]:
            return Finding(self.code, "info",
                           f"{e['model']} is never sure of a class (at least "
                           f"{e['confidence']:.0%} on {self.min_sure_rows} {rows} or more): a "
                           f"wrong label cannot be told from a hard {row} here, and no share is "
                           f"estimated.{example}", e,
                           f"The most suspected {rows} are listed if you want to check them.")
        if warn:
            return Finding(self.code, "warning", f"{sure}: {extent}.{example}", e,
                           f"Review the most suspected {rows} first; label noise caps every "
                           "model's score, and deep networks memorise it more readily than "
                           "trees.")
        return Finding(self.code, "info",
                       f"{sure}: {extent}; no more disagreement than a hard problem gives."
                       f"{example}", e,
                       f"Label noise looks low; the most suspected {rows} are listed if you want "
                       "to check.")


def disagreement_where_sure(labels: np.ndarray, proba: np.ndarray, confidence: float,
                            min_rows: int) -> dict:
    """Per class, the share of labels that disagree among the rows given that class at least
    `confidence` probability (classes with fewer such rows than `min_rows` are left out), and
    the estimated share of wrong labels: each class's disagreement times the share of rows
    assigned to it (highest probability)."""
    assigned = proba.argmax(axis=1)
    sure = proba.max(axis=1) >= confidence
    per_class, share, n_sure, n_disagree = {}, 0.0, 0, 0
    for c in range(proba.shape[1]):
        rows = sure & (assigned == c)
        if rows.sum() < min_rows:
            continue
        disagree = int(np.sum(labels[rows] != c))
        per_class[c] = disagree / rows.sum()
        share += per_class[c] * np.mean(assigned == c)
        n_sure, n_disagree = n_sure + int(rows.sum()), n_disagree + disagree
    return {"share": float(share), "per_class": per_class, "sure_rows": n_sure,
            "disagreeing": n_disagree}


def unweighted_probabilities(model: ModelResult, oof: np.ndarray, prepared: TableData,
                             context: CheckContext) -> np.ndarray:
    """The model's out-of-fold class probabilities, rows summing to 1, with class weights
    undone where the benchmark trained it with balanced weights: a weighted fit estimates
    p(c|x) times the weight of c, so dividing by the weights (multiplying by the class counts)
    restores the probabilities of the data's own class shares (Saerens et al. 2002)."""
    proba = oof / oof.sum(axis=1, keepdims=True)
    counts = np.bincount(prepared.y, minlength=proba.shape[1]).astype(float)
    folds = context.results.split.first_repeat
    # The benchmark's own rule (ModelContext.class_weight) on the ratio it was given.
    default = "balanced" if imbalance_ratio(prepared) >= \
        IMBALANCE_RATIO_FOR_CLASS_WEIGHTS else None
    params = dict(model.job(folds[0]).params) if folds else {}
    if params.get("class_weight", default) == "balanced":
        proba = proba * counts
        proba = proba / proba.sum(axis=1, keepdims=True)
    return proba


def _log_loss(labels: np.ndarray, proba: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(proba[np.arange(len(labels)), labels], 1e-15, 1))))


def _name(value) -> str | int | float | bool:
    """A class as report.json carries it: a plain number or text."""
    return value.item() if hasattr(value, "item") else value

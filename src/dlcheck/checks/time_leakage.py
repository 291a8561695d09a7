"""Time leakage: would a shuffled split have promised more than the time split delivers?"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit

from dlcheck._config import ALPHA
from dlcheck.benchmark.compare import CLASSICAL
from dlcheck.benchmark.splits import Fold
from dlcheck.benchmark.stats import paired_difference
from dlcheck.checks.base import ANY_KIND, CheckContext, NotApplicable, affordable_model
from dlcheck.findings import Finding, rounded


@dataclass(frozen=True)
class TimeSplitGap:
    """With --time-col the benchmark trains on the past and tests on the period after it. This
    check refits the best classical model on the rows of each time fold split at random, with
    the same training and test sizes, and compares the scores fold by fold. A random split that
    scores much better means the order of the rows matters (the target's relation to the
    features drifts, or a feature carries information from the future): a shuffled
    cross-validation would overstate what the model does on future rows.

    Random splits of each time fold's own rows, rather than a shuffled K-fold of the whole
    table, keep the time folds' training sizes: a K-fold trains on more rows than the early
    time folds, and its gain would mix a learning-curve effect into the gap."""

    code: ClassVar[str] = "leakage_time_split"
    title: ClassVar[str] = "Shuffled split against time split"
    kinds: ClassVar[frozenset[str]] = ANY_KIND
    max_gap_bounded: float = 0.05
    """Bounded scores (ROC-AUC): random splits better than the time split by more than this
    is a warning."""
    max_gap_relative: float = 0.10
    """Losses (RMSE): a time-split loss larger than the random splits' by more than this share
    of it is a warning."""
    alpha: float = ALPHA
    """Significance level of the gap (its interval, or the sign test over folds)."""
    budget_share: float = 0.25
    """Share of the budget's permutation_work that the refits may take: the best classical
    model whose refits fit in it (counted work) is refitted."""

    def run(self, context: CheckContext) -> list[Finding]:
        prepared, results = context.dataset, context.results
        if prepared.times is None or results.split.strategy != "time":
            raise NotApplicable("no --time-col: the benchmark's folds are not split in time")
        if context.run_jobs is None:
            raise NotApplicable("no executor to refit the model on shuffled folds")
        folds = {f.id: f for f in results.split.first_repeat}
        allowance = context.budget.permutation_work * self.budget_share
        model, why = affordable_model(results.models, CLASSICAL, results.metric.greater_is_better,
                                      len(folds), allowance, role="classical model")
        time_scores = {fid: s for fid, s in zip(model.fold_ids, model.fold_scores, strict=True)
                       if fid in folds and np.isfinite(s)}
        twins = shuffled_twins([folds[fid] for fid in time_scores], prepared.y,
                               prepared.task != "regression", context.seed)
        jobs = [replace(model.job(fold), name=f"{model.name}_shuffled") for fold in twins]
        metric = results.metric
        shuffled_scores = {r.fold_id: r.scores[metric.name] for r in context.run_jobs(jobs)
                           if r.ok and np.isfinite(r.scores.get(metric.name, np.nan))}
        paired = [fid for fid in time_scores if fid in shuffled_scores]
        if len(paired) < 2:
            raise NotApplicable("fewer than 2 time folds could be scored on random splits")
        shuffled = np.array([shuffled_scores[f] for f in paired])
        timed = np.array([time_scores[f] for f in paired])
        ratio = float(np.mean([len(folds[f].test) / len(folds[f].train) for f in paired]))
        interval = paired_difference(shuffled, timed, ratio, metric.greater_is_better)
        gap = interval.mean  # > 0: the random splits look better
        shuffled_mean, time_mean = float(shuffled.mean()), float(timed.mean())
        relative = gap / abs(shuffled_mean) if shuffled_mean else None
        # A gap fold noise cannot explain: the corrected interval clears 0, or random splits
        # win on every period (a one-sided sign test, p = 0.5^folds: 0.031 for 5 folds). The
        # corrected t-test alone is very wide on forward-chaining folds, whose early test parts
        # are as large as their training parts.
        wins = int(np.sum(_goodness(shuffled, metric) > _goodness(timed, metric)))
        sign_p = 0.5 ** len(paired) if wins == len(paired) else None
        significant = interval.ci_low > 0 or (sign_p is not None and sign_p < self.alpha)
        if metric.bounded:
            flagged, threshold = gap > self.max_gap_bounded, self.max_gap_bounded
            gap_text = f"{gap:+.3f} {metric.name}"
        else:
            flagged = relative is not None and relative > self.max_gap_relative
            threshold = self.max_gap_relative
            gap_text = (f"{metric.name} {relative:+.0%} on later periods" if relative is not None
                        else f"{gap:+.3g} {metric.name}")
        flagged = flagged and significant
        evidence = {
            "model": model.name, "why_this_model": why, "metric": metric.name,
            "shuffled_score": round(shuffled_mean, 4), "time_score": round(time_mean, 4),
            "gap": round(gap, 4),
            "relative_gap": None if relative is None else round(relative, 4),
            "gap_ci_low": rounded(interval.ci_low), "gap_ci_high": rounded(interval.ci_high),
            "p_value": round(interval.p_value, 4), "n_folds": len(paired),
            "folds_random_split_better": wins, "sign_test_p_value": sign_p,
            "threshold": threshold, "threshold_kind": "absolute" if metric.bounded
            else "relative to the shuffled score",
            "shuffled_fold_scores": [round(float(s), 4) for s in shuffled],
            "time_fold_scores": [round(float(s), 4) for s in timed],
            "shuffled_split": "each time fold's rows assigned to training and test at random, "
                              "with the time fold's sizes",
        }
        scores = (f"{model.name} scores {metric.name} {shuffled_mean:.3f} on random splits of "
                  f"the same rows and {time_mean:.3f} when tested on the period after its "
                  f"training rows (gap {gap_text}, {len(paired)} folds)")
        if flagged:
            return [Finding(
                self.code, "warning",
                f"{scores}: the order of the rows matters. The target's relation to the "
                "features drifts over time, or a feature carries information from the future; "
                "a shuffled cross-validation would overstate what the model does on future "
                "rows. The time split the benchmark used is the honest figure.",
                evidence,
                "Trust the time-split scores of this report. Look for features recorded after "
                "the moment of prediction or whose meaning changes over time; if the relation "
                "drifts, plan to retrain on recent rows.",
            )]
        if significant:
            return [Finding(
                self.code, "info",
                f"{scores}: random splits do a little better, beyond fold noise but below the "
                "warning threshold: mild drift.",
                evidence, "The time-split scores of this report are the ones to trust.",
            )]
        return [Finding(
            self.code, "info",
            f"{scores}: no sign that the order of the rows matters (drift or time leakage).",
            evidence, "Nothing to do: the time split and a shuffled one agree.",
        )]


def shuffled_twins(folds: list[Fold], y: np.ndarray, classification: bool, seed: int) \
        -> list[Fold]:
    """For each fold, its own rows split at random with its training and test sizes
    (stratified for classes where possible); the twin keeps the fold's id."""
    twins = []
    for fold in folds:
        rows = np.concatenate([fold.train, fold.test])
        sizes = dict(n_splits=1, train_size=len(fold.train), test_size=len(fold.test),
                     random_state=seed + fold.index)
        try:
            if not classification:
                raise ValueError("no classes to stratify")
            train, test = next(StratifiedShuffleSplit(**sizes).split(rows, y[rows]))
        except ValueError:  # a class too small to stratify, or a regression
            train, test = next(ShuffleSplit(**sizes).split(rows))
        twins.append(Fold(fold.repeat, fold.index, np.sort(rows[train]), np.sort(rows[test])))
    return twins


def _goodness(scores: np.ndarray, metric) -> np.ndarray:
    return scores if metric.greater_is_better else -scores

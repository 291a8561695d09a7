"""Patterns that don't exist: would the best model score as well on shuffled labels?"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np

from dlcheck._config import ALPHA, Budget
from dlcheck.benchmark.compare import CLASSICAL
from dlcheck.benchmark.jobs import JobResult
from dlcheck.benchmark.permutations import TIME_BLOCKS
from dlcheck.benchmark.results import BenchmarkResults, ModelResult
from dlcheck.benchmark.splits import Fold
from dlcheck.checks.base import ANY_KIND, CheckContext, NotApplicable, unit
from dlcheck.checks.outcomes import PermutationOutcome
from dlcheck.findings import Finding, rounded


@dataclass(frozen=True)
class Design:
    """Which refits the test makes: the folds, and the training rows of each (None: as in
    the benchmark), chosen by counted work so that it is the same on every machine."""

    folds: list[Fold]
    rows: int | None
    why: str
    work_per_permutation: float

    @property
    def reuses_benchmark_scores(self) -> bool:
        return self.rows is None


@dataclass(frozen=True)
class PermutationTest:
    """Refits the best model, the one whose signal the verdict claims, on shuffled labels
    and counts how often they score as well as the real ones (Ojala & Garriga 2010, test 1).

    Sequential Monte Carlo (Besag & Clifford 1991): shuffles are drawn in rounds until
    `stop_after` of them score as well as the real labels (then p = stop_after / shuffles
    drawn, necessarily >= alpha) or until the budget's `n_permutations` (then
    p = (C + 1) / (n + 1), as scikit-learn's permutation_test_score); the decision is the
    fixed-n test's, at a fraction of its cost when there is no signal. With n = 99 a true p of
    0.01 comes out below 0.05 in 98% of runs (benchmarks/permutation_power.py).

    Labels are shuffled within the data's exchangeability blocks (whole groups with
    --group-col, time blocks with --time-col; dlcheck.benchmark.permutations). A tuned variant
    keeps the hyperparameters it was tuned to on each fold (chosen on inner splits of the
    real labels, never on the rows it is scored on): re-tuning inside every shuffle would be
    exact and cost a search per shuffle. When the refits on every fold would cost more work
    than `Budget.permutation_work`, the same model is refitted on one fold, then on a row
    subsample of it, real and shuffled labels alike, and the finding says so."""

    code: ClassVar[str] = "permutation_test"
    title: ClassVar[str] = "Patterns that don't exist"
    kinds: ClassVar[frozenset[str]] = ANY_KIND
    alpha: float = ALPHA
    round_size: int = 10
    """Shuffles submitted together (their refits run in parallel); the stopping rule is
    applied shuffle by shuffle, in order, so the result does not depend on it."""
    min_rows: int = 500
    """Fewest training rows a subsampled refit gets, whatever the budget."""

    def run(self, context: CheckContext) -> list[Finding]:
        if context.run_jobs is None:
            raise NotApplicable("no executor to fit the permuted models")
        results, budget = context.results, context.budget
        model = results.best(CLASSICAL | {"deep"})
        if model is None:
            raise NotApplicable("no model besides the baseline")
        n_max = budget.n_permutations
        stop_after = max(1, math.ceil(self.alpha * n_max))
        design = plan_design(model, results, budget, self.min_rows,
                             unit(context.dataset.kind), context.dataset.kind)
        fraction = {f.id: 1.0 if design.rows is None else design.rows / len(f.train)
                    for f in design.folds}
        metric = results.metric

        def score_of(done, permutation: int) -> float:
            mine = [r for r in done if r.permutation == permutation]
            failed = [r.error for r in mine if not r.ok]
            if failed:
                raise RuntimeError(f"permuted fits of {model.name} failed: {failed[0]}")
            return float(np.nanmean([r.scores[metric.name] for r in mine]))

        if design.reuses_benchmark_scores:
            ids = {f.id for f in design.folds}
            true_score = float(np.mean([s for fid, s in zip(model.fold_ids, model.fold_scores,
                                                             strict=True) if fid in ids]))
            pending_real = []
        else:  # the real labels on the same rows: like is compared with like
            pending_real = [model.job(f, fraction=fraction[f.id]) for f in design.folds]
            true_score = float("nan")
        null_scores: list[float] = []
        as_good = 0
        drawn = 0
        while drawn < n_max and as_good < stop_after:
            batch = range(drawn + 1, min(drawn + self.round_size, n_max) + 1)
            jobs = pending_real + [model.job(f, permutation=k, fraction=fraction[f.id])
                                   for k in batch for f in design.folds]
            done = context.run_jobs(jobs)
            if pending_real:
                true_score = score_of(done, 0)
                pending_real = []
            for k in batch:  # shuffle by shuffle: the stopping point is the same in any round
                null_scores.append(score_of(done, k))
                drawn = k
                if _as_good(null_scores[-1], true_score, metric.greater_is_better):
                    as_good += 1
                if as_good >= stop_after:
                    break
        if not np.isfinite(true_score):
            raise RuntimeError(f"{model.name} could not be scored on the real labels of the "
                               "test's design")
        stopped_early = as_good >= stop_after
        p_value = as_good / drawn if stopped_early else (as_good + 1) / (n_max + 1)
        finding = self._finding(results, model, design, true_score, np.array(null_scores),
                                as_good, drawn, n_max, stop_after, p_value, context)
        if 1 / (n_max + 1) >= self.alpha:
            return [replace(self._inconclusive(finding, n_max),
                            outcome=PermutationOutcome(p_value=None))]
        return [replace(finding, outcome=PermutationOutcome(p_value=rounded(p_value)))]

    def _inconclusive(self, finding: Finding, n_max: int) -> Finding:
        """With fewer than 1 / alpha - 1 shuffles no p-value can fall below alpha: the test
        cannot tell, so it must not veto the signal (a custom Budget's small n_permutations)."""
        evidence = {**finding.evidence, "p_value": None,
                    "p_value_if_decisive": finding.evidence["p_value"], "inconclusive": True}
        return Finding(self.code, "info",
                       f"With at most {n_max} label shuffles no p-value can fall below "
                       f"{self.alpha:g} (the smallest is 1/{n_max + 1}): the test cannot "
                       "decide and the verdict does not use it. " + finding.summary,
                       evidence, "Use a budget with at least 19 shuffles (quick has 99).")

    def _finding(self, results, model, design, true_score, null_scores, as_good, drawn, n_max,
                 stop_after, p_value, context) -> Finding:
        metric = results.metric
        blocks = ("labels shuffled within whole groups' label sets: each group takes another "
                  "group's labels (--group-col)" if context.dataset.groups is not None
                  and context.dataset.times is None else
                  f"labels shuffled within {TIME_BLOCKS} consecutive blocks of time "
                  "(--time-col)" if context.dataset.times is not None else
                  "labels shuffled freely over all rows")
        evidence = {
            "p_value": rounded(p_value), "model": model.name,
            "selection": "the best of the ladder on these folds; the p-value is conditional "
                         "on that choice (the uplift over the dummy corrects for it)",
            "why_this_model": "the best model: the one whose signal the verdict claims",
            "n_permutations": drawn, "max_permutations": n_max,
            "smallest_attainable_p": rounded(1 / (n_max + 1)),
            "stopping_rule": f"sequential (Besag & Clifford 1991): stop once {stop_after} "
                             f"shuffles score as well as the real labels, else after {n_max}",
            "stopped_early": as_good >= stop_after,
            "shuffles_as_good": as_good, "metric": metric.name, "score": rounded(true_score),
            "permuted_mean": rounded(float(null_scores.mean())),
            "permuted_best": rounded(float(null_scores.max() if metric.greater_is_better
                                           else null_scores.min())),
            "exchangeability": blocks,
            "folds": [f.id for f in design.folds], "design": design.why,
            "train_rows": design.rows or model.train_rows,
            "work_seconds_per_permutation": rounded(design.work_per_permutation, 2),
        }
        if model.params or model.fold_params:
            evidence["hyperparameters"] = ("the tuned hyperparameters of each fold, fixed for "
                                           "the real and the shuffled labels alike")
        name = model.name if design.rows is None else \
            f"{model.name} (refitted on {design.rows:,} training {unit(context.dataset.kind)})"
        where = "" if len(design.folds) == len(results.split.first_repeat) else \
            f" on fold {design.folds[0].id}"
        if p_value >= self.alpha:
            return Finding(
                self.code, "warning",
                f"{name} scores {metric.name} {true_score:.3f} on the real labels{where}, and "
                f"{as_good} of {drawn} label shuffles do as well (p={p_value:.3f}): the "
                "patterns it finds are indistinguishable from chance.",
                evidence, "Look for features that carry information about the target, and check "
                "how the labels were made.")
        summary = (f"No label shuffle out of {drawn} matches the {metric.name} of {name}"
                   f"{where}, {true_score:.3f} (shuffled mean {null_scores.mean():.3f}; "
                   f"p={p_value:.3f}, the smallest attainable with {n_max} shuffles): its "
                   "patterns are not chance." if as_good == 0 else
                   f"{as_good} of {drawn} label shuffles match {name}{where} "
                   f"(p={p_value:.3f}): its patterns are not chance at the {self.alpha:g} "
                   "level.")
        summary += (" This model was picked as the best on these folds, which this p-value "
                    "does not count; the verdict's uplift interval, which must clear 0 too, "
                    "does.")
        if design.rows is not None or where:
            summary += f" {design.why[:1].upper()}{design.why[1:]}."
        return Finding(self.code, "info", summary, evidence,
                       "A larger --budget draws more shuffles (a finer p-value) and refits on "
                       "more rows.")


def plan_design(model: ModelResult, results: BenchmarkResults, budget: Budget,
                min_rows: int, rows_called: str = "rows", kind: str = "table") -> Design:
    """Every fold as in the benchmark when its most shuffles fit `budget.permutation_work`;
    else one fold (the latest with time folds); else a row subsample of it, the largest the
    work allows (at least `min_rows`). Each fold's work is the model's own counted work on
    it (forward-chaining folds grow), and a subsample's is that fit's rows' part in
    proportion plus its steps' part as the steps change with the rows
    (`ModelSpec.work_at_rows`: a network's steps an epoch hardly fall from 16,000 rows to
    1,000)."""
    folds = results.split.first_repeat
    n_max = budget.n_permutations
    all_folds = sum(_counted_work(model, _fold_fit(model, results, f))[0] for f in folds)
    if n_max * all_folds <= budget.permutation_work:
        return Design(folds, None, "every fold, as in the benchmark", all_folds)
    [fold] = results.split.probe_folds(1)
    rows_one = min(len(fold.train), model.train_rows)
    fit = _fold_fit(model, results, fold)
    one_fold, one_steps = _counted_work(model, fit)
    every = f"refits on every fold would cost about {n_max * all_folds:,.0f} CPU s of counted work"
    if n_max * one_fold <= budget.permutation_work:
        return Design([fold], None, f"refits on fold {fold.id} only: {every}, over the "
                      f"budget's {budget.permutation_work:g}", one_fold)
    if rows_one <= min_rows:  # no subsample smaller than the floor: the fold as it is
        return Design([fold], None, f"refits on fold {fold.id} only: {every}, on fold "
                      f"{fold.id} alone {n_max * one_fold:,.0f}, over the budget's "
                      f"{budget.permutation_work:g}; its {rows_one:,} training {rows_called} "
                      f"are no more than the {min_rows:,} a subsample keeps", one_fold)
    seen = fit.n_train_rows if fit is not None and fit.n_train_rows else rows_one
    work_at = _work_at_rows(model, one_fold, one_steps, seen, kind)
    candidates = np.arange(min_rows, rows_one + 1)
    affordable = candidates[n_max * work_at(candidates) <= budget.permutation_work]
    rows = int(affordable.max()) if len(affordable) else min_rows
    short = ("" if len(affordable) else f"; even {rows:,} {rows_called}, the fewest a "
             f"subsample keeps, cost about {n_max * work_at(rows):,.1f} CPU s")
    return Design([fold], rows, f"every refit, on the real and on the shuffled labels, "
                  f"trained on {rows:,} of the {rows_one:,} training {rows_called} of fold "
                  f"{fold.id}: "
                  f"refits on all of them would cost about {n_max * one_fold:,.0f} "
                  f"CPU s of counted work, over the budget's {budget.permutation_work:g}"
                  f"{short}", work_at(rows))


def _fold_fit(model: ModelResult, results: BenchmarkResults, fold: Fold) -> JobResult | None:
    """The benchmark's (or tuning's) fit of the model on this fold, when it is kept."""
    return results.fold_results.get(model.name, {}).get(fold.id)


def _counted_work(model: ModelResult, fit: JobResult | None) -> tuple[float, float]:
    """Counted work of the fit and its steps' part: the mean fit's work, with no steps'
    part, where no fit with counted work is kept."""
    if fit is not None and fit.work > 0:
        return fit.work, fit.step_work
    return model.work, 0.0


def _work_at_rows(model: ModelResult, work: float, steps: float, rows_seen: int,
                  kind: str) -> Callable[[Any], Any]:
    """Counted work of a fit of `work` (`steps` of it its steps') on `rows_seen` rows, as a
    function of its training rows (an int, or an array of them for the search)."""
    from dlcheck.models.registry import get_model

    try:
        spec = get_model(model.spec or model.name, kind)
    except KeyError:  # a model from outside the ladder: its work in proportion to its rows
        return lambda rows: work * np.asarray(rows, dtype=float) / max(rows_seen, 1)
    return lambda rows: spec.work_at_rows(work - steps, steps, rows_seen, rows)


def _as_good(null: float, real: float, greater_is_better: bool) -> bool:
    return null >= real if greater_is_better else null <= real

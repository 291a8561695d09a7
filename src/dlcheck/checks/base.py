"""What every pitfall check shares: the context it reads and the way it says 'not here'."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol

from dlcheck._config import Budget
from dlcheck.benchmark.jobs import Job, JobResult
from dlcheck.benchmark.results import BenchmarkResults, ModelResult
from dlcheck.benchmark.stats import goodness_sign
from dlcheck.data.dataset import Dataset
from dlcheck.findings import Finding


class NotApplicable(Exception):
    """The check does not apply to this data (e.g. class balance on a regression)."""


@dataclass(frozen=True)
class CheckContext:
    """Everything a check may read: the dataset, the folds and the benchmark results;
    and `run_jobs`, to fit models through the benchmark's own executor when a check needs more
    fits (a permutation test, a learning curve)."""

    dataset: Dataset
    results: BenchmarkResults
    budget: Budget
    seed: int = 0
    run_jobs: Callable[[list[Job]], list[JobResult]] | None = None
    min_gain: float | None = None
    """The user's --min-gain (None: the default for the metric)."""


ANY_KIND: frozenset[str] = frozenset({"*"})
"""`Check.kinds` of a check that reads only what every Dataset has (the target, the task,
groups, times) and the results."""
TABLES: frozenset[str] = frozenset({"table"})
IMAGES: frozenset[str] = frozenset({"image"})


def unit(kind: str, plural: bool = True) -> str:
    """What one example of the data is called in a sentence: a row of a table, an image."""
    word = "image" if kind == "image" else "row"
    return word + "s" if plural else word


MEMORISING_FAMILIES = {"tree", "ensemble", "deep"}
"""Families whose fits can repeat the labels of training rows they have seen."""


class Check(Protocol):
    """A check measures on the user's data and returns findings with figures and advice; it
    reads the results and never changes them.

    Its thresholds are fields of the class, named, so that a reader sees what decides."""

    code: ClassVar[str]
    title: ClassVar[str]
    kinds: ClassVar[frozenset[str]]
    """The kinds of data (`Dataset.kind`) it applies to; ANY_KIND for all."""

    def run(self, context: CheckContext) -> list[Finding]:
        """Findings (possibly none); raise NotApplicable when the check does not apply."""
        ...


def probed_folds(check: Check, kind: str) -> int:
    """How many first folds a check refits whole models on to probe them on data of this
    kind (its `probe_fold_count(kind)`, else its `n_folds`, when it declares
    `probes_fitted_models`; else 0): the run keeps the benchmark's fits of those folds for
    it (dlcheck.benchmark.fit_cache)."""
    if not getattr(check, "probes_fitted_models", False):
        return 0
    count = getattr(check, "probe_fold_count", None)
    return count(kind) if count else check.n_folds


def applies_to(check: Check, kind: str) -> bool:
    return "*" in check.kinds or kind in check.kinds


def ranked_candidates(models: list[ModelResult], families: set[str],
                      greater_is_better: bool) -> list[ModelResult]:
    """The models of these families, best first (ladder order settles exact ties, as in
    `BenchmarkResults.best`, so a check names the model the report calls the best); a tuned
    variant stands for its default, which is refitted in its place."""
    sign = goodness_sign(greater_is_better)
    return sorted((m for m in models if m.family in families and not m.tuned_variant),
                  key=lambda m: -sign * m.mean)


def affordable_model(models: list[ModelResult], families: set[str], greater_is_better: bool,
                     n_fits: int, work_seconds: float, role: str = "model") \
        -> tuple[ModelResult, str]:
    """The best model of these families whose `n_fits` refits fit in `work_seconds` of
    counted work (ModelResult.work: estimated from rows, trees, epochs and steps, never
    from a clock, so the choice is the same on every machine), else the cheapest; and why it was
    chosen, in words. A tuned variant stands for its default."""
    ranked = ranked_candidates(models, families, greater_is_better)
    if not ranked:
        raise NotApplicable(f"no {role} to refit")
    for rank, m in enumerate(ranked):
        if m.work * n_fits <= work_seconds:
            return m, (f"the best {role}" if rank == 0 else
                       f"the best {role} whose {n_fits} refits fit the budget "
                       f"({ranked[0].name} would take about "
                       f"{ranked[0].work * n_fits:.0f} CPU s of counted work)")
    return min(ranked, key=lambda m: (m.work, m.name)), \
        f"the cheapest {role}: no better one fits the budget"

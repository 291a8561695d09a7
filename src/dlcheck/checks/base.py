"""What every pitfall check shares: the context it reads and the way it says 'not here'."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol

from dlcheck._config import Budget
from dlcheck.benchmark.jobs import Job, JobResult
from dlcheck.benchmark.results import BenchmarkResults
from dlcheck.data.prepare import PreparedData
from dlcheck.findings import Finding


class NotApplicable(Exception):
    """The check does not apply to this data (e.g. class balance on a regression)."""


@dataclass(frozen=True)
class CheckContext:
    """Everything a check may read: the prepared data, the folds and the benchmark results;
    and `run_jobs`, to fit models through the benchmark's own executor when a check needs more
    fits (a permutation test, a learning curve)."""

    prepared: PreparedData
    results: BenchmarkResults
    budget: Budget
    seed: int = 0
    run_jobs: Callable[[list[Job]], list[JobResult]] | None = None
    min_gain: float | None = None
    """The user's --min-gain (None: the default for the metric)."""


class Check(Protocol):
    """A check measures on the user's data and returns findings with figures and advice.

    Its thresholds are fields of the class, named, so that a reader sees what decides."""

    code: ClassVar[str]
    title: ClassVar[str]

    def run(self, context: CheckContext) -> list[Finding]:
        """Findings (possibly none); raise NotApplicable when the check does not apply."""
        ...

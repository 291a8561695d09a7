"""Executors run jobs and yield results as they finish. A store or a cluster backend is
another Executor; models and checks never know which one ran them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from dlcheck.benchmark.jobs import Job, JobResult


class Executor(Protocol):
    n_workers: int

    def map(self, fn: Callable[[Job], JobResult], jobs: Sequence[Job]) -> Iterator[JobResult]:
        """Run fn on every job and yield each result as soon as it is done (any order)."""
        ...


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class LocalExecutor:
    """Parallel over this machine's cores with joblib (one process per job at a time)."""

    def __init__(self, n_jobs: int | None = None) -> None:
        self.n_workers = max(1, n_jobs or available_cores())

    def map(self, fn: Callable[[Job], JobResult], jobs: Sequence[Job]) -> Iterator[JobResult]:
        if self.n_workers == 1 or len(jobs) <= 1:
            for job in jobs:
                yield fn(job)
            return
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=self.n_workers, return_as="generator_unordered",
                            pre_dispatch="2*n_jobs")
        yield from parallel(delayed(fn)(job) for job in jobs)

"""What an executor is: something that runs jobs and yields their results as they finish.
Local processes, the run store's wrapper and a cluster backend are executors; the benchmark,
models and checks never know which one ran them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # annotations only: importing an executor stays light (no scikit-learn)
    from dlcheck.benchmark.jobs import Job, JobResult


class Executor(Protocol):
    n_workers: int
    """Jobs that run at once."""

    def map(self, fn: Callable[[Job], JobResult], jobs: Sequence[Job]) -> Iterator[JobResult]:
        """Run fn on every job and yield each result as soon as it is done (any order).
        A worker that disappears (killed, out of memory, a lost node) raises WorkerLost.
        An executor may keep its workers between maps of the same `fn`; one that does has a
        `close()` that stops them, which the pipeline calls when a run ends."""
        ...


class WorkerLost(RuntimeError):
    """A worker of an executor disappeared under a job (killed by the system, most often for
    lack of memory, or a lost node): what it was running is lost, finished jobs are not."""


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def threads_per_job(executor: Executor) -> int:
    """Threads each job may use: the executor's own figure (`threads_per_job`, as a cluster
    executor knows its workers), else this machine's cores shared by the workers."""
    threads = getattr(executor, "threads_per_job", None)
    if threads:
        return int(threads)
    return max(1, available_cores() // max(executor.n_workers, 1))

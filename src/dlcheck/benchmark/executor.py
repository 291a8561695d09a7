"""Executors run jobs and yield results as they finish. A store or a cluster backend is
another Executor; models and checks never know which one ran them."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Protocol

from dlcheck.benchmark.jobs import Job, JobResult

# Imported once in the fork server; every worker forked from it shares these pages
# copy-on-write instead of importing torch, scikit-learn and LightGBM again (~400 MB each).
PRELOADED_MODULES = ["dlcheck.benchmark._worker_preload"]


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
    """Parallel over this machine's cores: one single-threaded worker process per core.

    Workers are forked from a fork server that has already imported the heavy libraries: they
    start fast and share that memory, and no worker inherits threads from the main process.
    """

    def __init__(self, n_jobs: int | None = None) -> None:
        self.n_workers = max(1, n_jobs or available_cores())

    def map(self, fn: Callable[[Job], JobResult], jobs: Sequence[Job]) -> Iterator[JobResult]:
        if self.n_workers == 1 or len(jobs) <= 1:
            for job in jobs:
                yield fn(job)
            return
        context = _process_context()
        with ProcessPoolExecutor(self.n_workers, mp_context=context) as pool:
            pending: set[Future] = set()
            queue = iter(jobs)
            # Submit a few jobs ahead only, so an interrupted run leaves little queued work.
            for job in queue:
                pending.add(pool.submit(fn, job))
                if len(pending) >= 2 * self.n_workers:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
                    next_job = next(queue, None)
                    if next_job is not None:
                        pending.add(pool.submit(fn, next_job))


def _process_context():
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")  # macOS and Windows
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED_MODULES)
    return context

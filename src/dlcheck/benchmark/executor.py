"""Executors run jobs and yield results as they finish. A store or a cluster backend is
another Executor; models and checks never know which one ran them."""

from __future__ import annotations

import multiprocessing
import os
import sys
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
        """`fn` (with the table it holds, e.g. a `partial(run_job, data=...)`) travels to each
        worker once, when the worker starts; each job then sends only the small `Job`."""
        if self.n_workers == 1 or len(jobs) <= 1:
            for job in jobs:
                yield fn(job)
            return
        pool = ProcessPoolExecutor(min(self.n_workers, len(jobs)), mp_context=_process_context(),
                                   initializer=_install, initargs=(fn,))
        try:
            pending: set[Future] = set()
            queue = iter(jobs)
            # Submit a few jobs ahead only, so an interrupted run leaves little queued work.
            for job in queue:
                pending.add(_submit(pool, job))
                if len(pending) >= 2 * self.n_workers:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
                    next_job = next(queue, None)
                    if next_job is not None:
                        pending.add(_submit(pool, next_job))
        except BaseException:  # Ctrl-C, SIGTERM or a closed generator: stop at once
            _terminate(pool)
            raise
        pool.shutdown()


_worker_fn: Callable[[Job], JobResult] | None = None
"""In a worker process: the function of the map it serves, set once by `_install`."""


def _install(fn: Callable[[Job], JobResult]) -> None:
    """Worker initializer: keep the map's function (and the table inside it) for every job."""
    global _worker_fn
    _worker_fn = fn


def _run_installed(job: Job) -> JobResult:
    if _worker_fn is None:  # only if a pool were made without `_install`
        raise RuntimeError("no function installed in this worker")
    return _worker_fn(job)


def _submit(pool: ProcessPoolExecutor, job: Job) -> Future:
    """Submit, and launch workers if needed, without the caller's script.

    A new worker imports the parent's `__main__` file, which re-runs a user's script that
    lacks an `if __name__ == "__main__"` guard. Jobs need only dlcheck's own code, so the
    script's path is hidden while workers start.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None:
        return pool.submit(_run_installed, job)
    del main.__file__
    try:
        return pool.submit(_run_installed, job)
    finally:
        main.__file__ = path


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Drop queued jobs and stop running ones; `shutdown` alone would wait for them all."""
    # Python 3.14 has pool.terminate_workers(); before it, the processes are only reachable
    # through this private attribute, which shutdown() clears: read it first.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()


def _process_context():
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")  # macOS and Windows
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED_MODULES)
    return context

"""The local executor: jobs in worker processes on this machine's cores."""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TYPE_CHECKING

from dlcheck.executors.base import WorkerLost, available_cores

if TYPE_CHECKING:  # annotations only: importing the executor stays light (no scikit-learn)
    from dlcheck.benchmark.jobs import Job, JobResult

# Imported once in the fork server; every worker forked from it shares these pages
# copy-on-write instead of importing torch, scikit-learn and LightGBM again (~400 MB each).
PRELOADED_MODULES = ["dlcheck.executors._worker_preload"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
"""The signals that stop a run (Ctrl-C, `kill`): the main process turns both into
KeyboardInterrupt and terminates its workers."""


class LocalExecutor:
    """Parallel over this machine's cores: one single-threaded worker process per core.

    Workers are forked from a fork server that has already imported the heavy libraries: they
    start fast and share that memory, and no worker inherits threads from the main process.
    Workers and the fork server exit by themselves when the main process is gone, even
    killed with SIGKILL.
    """

    def __init__(self, n_jobs: int | None = None) -> None:
        self.n_workers = max(1, n_jobs or available_cores())
        self._pool: ProcessPoolExecutor | None = None
        self._pool_fn: Callable[[Job], JobResult] | None = None

    def warm_up(self) -> None:
        """Start the fork server now, without waiting for it: its imports of torch,
        scikit-learn and LightGBM (about 3.5 s) then overlap the main process's own work
        (its imports, the folds) instead of delaying the first job."""
        if self.n_workers > 1:
            context = _process_context()
            if context.get_start_method() == "forkserver":
                _launch_fork_server()

    @property
    def threads_per_job(self) -> int:
        """The cores shared by the workers."""
        return max(1, available_cores() // self.n_workers)

    def map(self, fn: Callable[[Job], JobResult], jobs: Sequence[Job]) -> Iterator[JobResult]:
        """`fn` (with the table it holds, e.g. a `partial(run_job, data=...)`) travels to each
        worker once, when the worker starts; each job then sends only the small `Job`.

        The workers stay for the next map of the same `fn` (the same object): a run's stages
        and the permutation test's rounds then pay no worker start (0.28 s a map on the demo,
        ten rounds of 50 jobs took 3.8 s against 1.3 s for one map of all 500), and what a
        worker keeps (a fold's preprocessing, image descriptors) serves them all. `close()`
        stops them; a map of another function replaces them."""
        if self.n_workers == 1 or (len(jobs) <= 1 and self._pool_fn is not fn):
            for job in jobs:
                yield fn(job)
            return
        pool = self._pool_for(fn)
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
                    try:
                        result = future.result()
                    except BrokenProcessPool as exc:
                        raise WorkerLost(str(exc)) from exc
                    yield result
                    next_job = next(queue, None)
                    if next_job is not None:
                        pending.add(_submit(pool, next_job))
        except BaseException:  # Ctrl-C, SIGTERM or a closed generator: stop at once
            with _signals_deferred():  # a second Ctrl-C must not cut the clean-up short
                self._pool = self._pool_fn = None
                _terminate(pool)
            raise

    def _pool_for(self, fn: Callable[[Job], JobResult]) -> ProcessPoolExecutor:
        """The workers that hold `fn`: those of the last map when it had the same, else new."""
        # A worker killed while idle (the system short of memory) breaks the pool between
        # maps: no job was lost, so new workers take over.
        if self._pool is not None and self._pool_fn is fn and not _broken(self._pool):
            return self._pool
        self.close()
        context = _process_context()
        _start_fork_server(context)
        # Workers start as jobs are submitted, up to one per core.
        self._pool = ProcessPoolExecutor(self.n_workers, mp_context=context,
                                         initializer=_install, initargs=(fn,))
        self._pool_fn = fn
        return self._pool

    def close(self) -> None:
        """Stop the workers, which otherwise wait for the next map of the same function (or
        for this executor to be garbage-collected, or the interpreter to exit)."""
        pool, self._pool, self._pool_fn = self._pool, None, None
        if pool is not None:
            pool.shutdown(wait=True)


def _broken(pool: ProcessPoolExecutor) -> bool:
    return bool(getattr(pool, "_broken", False))  # private, as in _terminate


_worker_fn: Callable[[Job], JobResult] | None = None
"""In a worker process: the function of the map it serves, set once by `_install`."""


def _install(fn: Callable[[Job], JobResult]) -> None:
    """Worker initializer: keep the map's function (and the table inside it) for every job."""
    global _worker_fn
    _worker_fn = fn
    _exit_with_the_main_process()


def _run_installed(job: Job) -> JobResult:
    if _worker_fn is None:  # only if a pool were made without `_install`
        raise RuntimeError("no function installed in this worker")
    started = time.perf_counter()
    try:
        return _worker_fn(job)
    finally:
        if time.perf_counter() - started > TRIM_AFTER_SECONDS:
            _release_free_memory()


TRIM_AFTER_SECONDS = 0.25
"""A job at least this long hands its freed memory back to the system when it ends."""


def _release_free_memory() -> None:
    """Give the C allocator's free pages back to the system (glibc's malloc_trim). A worker
    now lives for the whole run: without it, each keeps the high-water mark of the largest
    fit it ever made (a network's batches, a forest) while it runs small jobs."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:  # not glibc (musl)
        return None


def _submit(pool: ProcessPoolExecutor, job: Job) -> Future:
    """Submit, and launch a worker if needed, safe from Ctrl-C; a worker lost meanwhile
    raises WorkerLost.

    A worker whose start a KeyboardInterrupt cuts short is forked but never added to the
    pool's processes: nothing could stop it, and it would outlive the run (holding the
    terminal's pipes) waiting for jobs. Stop signals wait until the start is complete.
    """
    with _signals_deferred(), _main_script_hidden():
        try:
            return pool.submit(_run_installed, job)
        except BrokenProcessPool as exc:
            raise WorkerLost(str(exc)) from exc


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """A new worker imports the parent's `__main__` file, which re-runs a user's script that
    lacks an `if __name__ == "__main__"` guard. Jobs need only dlcheck's own code, so the
    script's path is hidden while workers start."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Run the block whole: Ctrl-C or SIGTERM received meanwhile acts when it ends.

    Only the main thread ever gets KeyboardInterrupt, so elsewhere this does nothing. The
    Python handlers are swapped: blocking the signals in this thread would not do, the kernel
    then hands them to another thread (the pool's), and Python still raises here.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum, frame) -> None:
        received.append(signum)

    # SIG_IGN stays ignored; None is a handler set outside Python, which it cannot restore.
    previous = {s: h for s in STOP_SIGNALS
                if (h := signal.getsignal(s)) not in (signal.SIG_IGN, None)}
    for signum in previous:
        signal.signal(signum, hold)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(received):
            signal.raise_signal(signum)  # now handled as usual: KeyboardInterrupt


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
        return multiprocessing.get_context("spawn")  # Windows
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED_MODULES)
    return context


_ready_fork_server: int | None = None
"""The pid of the fork server known to have finished its imports (see _start_fork_server)."""


def _start_fork_server(context) -> None:
    """Start the fork server, if not running, out of the reach of Ctrl-C, and wait for its
    imports while Ctrl-C still works.

    It is started with the stop signals blocked (a blocked mask survives exec), so that a
    Ctrl-C reaching the process group while it starts cannot kill it with a traceback;
    `_fork_server` ignores SIGINT, then unblocks them. Its imports take seconds: the first
    worker's start, during which Ctrl-C is held back (see `_submit`), would wait for them.
    A throwaway process waits for them instead: cut short, it only ends by itself.
    """
    global _ready_fork_server
    if context.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    _launch_fork_server()
    # Private, as in _terminate; without it every map waits for a throwaway process (ms).
    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if pid is not None and pid == _ready_fork_server:
        return
    with _main_script_hidden():
        probe = context.Process(target=_nothing, name="dlcheck-fork-server-probe")
        probe.start()
    probe.join()
    _ready_fork_server = pid


def _launch_fork_server() -> None:
    """Start the fork server if it is not running, with the stop signals blocked (see
    `_start_fork_server`); it returns at once, the server importing in the background."""
    from multiprocessing import forkserver, resource_tracker

    # The resource tracker unblocks these signals once it has started: start it first.
    resource_tracker.ensure_running()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _nothing() -> None:
    """The throwaway process of `_start_fork_server`."""


def _exit_with_the_main_process() -> None:
    """In a worker: exit as soon as the main process is gone, even killed with SIGKILL, instead
    of waiting forever for jobs (and holding its memory and the terminal's pipes).

    The worker holds the read end of a pipe whose only writer is the main process (its
    `parent_process().sentinel`): it reads as closed once that process has exited. A thread
    waits for that; it blocks every signal, so that they all reach the main thread (the job
    time limit's SIGALRM). On Linux the fork server also ties its workers to itself, and
    exits with the main process (see _fork_server).
    """
    sentinel = getattr(multiprocessing.parent_process(), "sentinel", None)
    if sentinel is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(1)

    watcher = threading.Thread(target=watch, name="dlcheck-exit-with-main", daemon=True)
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        watcher.start()
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    try:
        watcher.start()  # a new thread starts with the mask of the one that starts it
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)

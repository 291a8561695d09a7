"""A job's time limit, enforced by the job itself wherever it runs: in a worker process, in a
thread of a threaded executor, or on a remote worker of a cluster.

`job_deadline` sets the deadline of the job running in this thread; every long loop inside a
job calls `check_deadline()` at each step (a network's batch, a boosting round, an Optuna
trial), which raises JobTimeout once the deadline is past. Where the job runs in a process's
main thread, `alarm` adds SIGALRM, which also stops code without such a check (a random
forest's trees). Only `dlcheck.benchmark.runner.run_job` catches JobTimeout.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_current = threading.local()


class JobTimeout(BaseException):
    """Raised in a job that ran past `Budget.job_seconds`. A BaseException, like
    KeyboardInterrupt, so that no `except Exception` inside a library (a failing Optuna trial,
    a fallback path) swallows it."""


@contextmanager
def job_deadline(seconds: float, message: str) -> Iterator[None]:
    """Within the block, `check_deadline()` in this thread raises JobTimeout(message) once
    `seconds` have passed (no limit when seconds <= 0); the previous deadline comes back on
    the way out."""
    previous = getattr(_current, "deadline", None)
    _current.deadline = (time.monotonic() + seconds, message) if seconds > 0 else None
    try:
        yield
    finally:
        _current.deadline = previous


def check_deadline() -> None:
    """Raise JobTimeout when the job running in this thread is past its deadline."""
    deadline = getattr(_current, "deadline", None)
    if deadline is not None and time.monotonic() > deadline[0]:
        raise JobTimeout(deadline[1])


def lightgbm_deadline(env) -> None:
    """A LightGBM callback: the deadline checked after every boosting round."""
    check_deadline()


@contextmanager
def alarm(seconds: float, message: str) -> Iterator[None]:
    """Raise JobTimeout(message) in this thread once `seconds` have passed, wherever its
    Python code is: the extra, where signals reach, to the cooperative deadline.

    SIGALRM interrupts Python code wherever it is, so a fit stops at its next Python-level
    step (a boosting iteration, a tree of a forest, a batch of a network); a single call into
    C that never returns is not interrupted. Only the main thread receives signals: in another
    thread, where a timer already runs (the caller's own SIGALRM), or where there is no
    SIGALRM (Windows), the job runs without a limit. The previous handler is restored and the
    timer cleared on the way out, whatever happens, so Ctrl-C and the caller's own signals
    work as before between and during jobs.
    """
    usable = (seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if not usable:
        yield
        return
    armed = [True]

    def on_alarm(signum, frame):
        if armed[0]:  # at most once, and never after the job has left the block
            armed[0] = False
            raise JobTimeout(message)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            armed[0] = False  # an alarm due right here raises once, and the cleanup still runs
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

"""Imported once by the fork server that starts the workers (see executor.py).

The heavy libraries are imported here (no computation: a thread pool started here would not
survive the fork), then every object is frozen out of the garbage
collector's reach: a worker forked from this process then shares these pages copy-on-write,
because its collector never writes to the inherited objects.
"""

import gc
import signal
import sys

# Ctrl-C reaches the whole process group, this fork server too: it and the workers it forks
# ignore it (the fork server itself only does so after these imports) and are stopped by the
# main process, which terminates them on KeyboardInterrupt.
signal.signal(signal.SIGINT, signal.SIG_IGN)


def _quiet_when_orphaned(kind, value, tb) -> None:
    """A worker still starting when the main process stops its pool finds the pool's pipes
    and semaphores gone: it ends in silence instead of printing a traceback under the user's
    'interrupted' message. Any other error is printed as usual."""
    if issubclass(kind, (FileNotFoundError, EOFError, ConnectionError)):
        return
    sys.__excepthook__(kind, value, tb)


sys.excepthook = _quiet_when_orphaned

import lightgbm  # noqa: E402, F401
import torch._dynamo  # noqa: E402, F401  (torch's optimizers import it, and sympy, on first step)

import dlcheck.benchmark.runner  # noqa: E402, F401
import dlcheck.models.deep  # noqa: E402, F401

gc.freeze()

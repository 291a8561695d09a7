"""What the fork server does first, before its heavy imports (see _worker_preload.py): how it
and the workers it forks take signals, and how they end with the main process.

Imported only there: in any other process it would make Ctrl-C do nothing.
"""

import ctypes
import os
import signal
import sys
import threading
import time

# Ctrl-C reaches the whole process group, this fork server too: it and the workers it forks
# ignore it and are stopped by the main process, which terminates them on KeyboardInterrupt.
# The main process starts this server with SIGINT and SIGTERM blocked (local.py), so that
# neither can end it with a traceback before this line.
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def _quiet_when_orphaned(kind, value, tb) -> None:
    """A worker still starting when the main process stops its pool finds the pool's pipes
    and semaphores gone: it ends in silence instead of printing a traceback under the user's
    'interrupted' message. Any other error is printed as usual."""
    if issubclass(kind, (FileNotFoundError, EOFError, ConnectionError)):
        return
    sys.__excepthook__(kind, value, tb)


sys.excepthook = _quiet_when_orphaned

# A main process killed with SIGKILL (a lost terminal, the out-of-memory killer) closes
# nothing itself: this server and its workers must notice that it is gone.
_SERVER = os.getpid()
_MAIN = os.getppid()


def _exit_with_the_main_process() -> None:
    # The server waits for its "alive" pipe to close, but every worker holds a write end of
    # it: the server would outlive a killed main process as long as its workers, and they,
    # waiting for jobs, forever. When the main process ends, this process is re-parented.
    while os.getppid() == _MAIN:
        time.sleep(0.25)
    os._exit(0)  # its workers follow: see _die_with_the_server


# Not PR_SET_PDEATHSIG here: it fires when the *thread* that started this server ends, which
# can be any thread that ran a map. This thread is the server's only one; a fork has none.
threading.Thread(target=_exit_with_the_main_process, name="dlcheck-exit-with-main",
                 daemon=True).start()

try:
    _prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None
except (OSError, AttributeError):
    _prctl = None
_PR_SET_PDEATHSIG = 1
_forked_by_server = False


def _die_with_the_server() -> None:
    """In each process this server forks, right after the fork: have the kernel SIGKILL it
    when the server ends (Linux only; the server forks in its main thread, which lives as long
    as it does). Workers also watch the main process themselves: see local.py."""
    global _forked_by_server
    if _forked_by_server:  # a child of a worker: not one of the server's workers
        return
    _forked_by_server = True
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != _SERVER:  # the server ended before the call took effect
            os._exit(1)


os.register_at_fork(after_in_child=_die_with_the_server)

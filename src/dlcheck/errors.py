"""Errors a user can fix. The command line turns them into one line and exit status 2."""


class DataError(ValueError):
    """Bad input: the message says what is wrong and what to do."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped a run whose finished jobs are saved in a run store."""

    def __init__(self, saved_jobs: int, store_path: str) -> None:
        super().__init__(f"{saved_jobs} finished jobs saved in {store_path}")
        self.saved_jobs = saved_jobs
        self.store_path = store_path


class WorkerDied(RuntimeError):
    """A worker process was killed under a run (most often by the system, for lack of memory):
    the message says what is saved and how to go on."""

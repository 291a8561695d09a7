"""Errors a user can fix. The command line turns them into one line and exit status 2.

Their messages name the options of `dlcheck.assess` neutrally, as `<min_gain>` or
`<task=binary>` (a name of OPTIONS): `str(error)` words them as Python arguments
(`min_gain`, `task='binary'`), `error.for_command_line()` as the command line's flags
(`--min-gain`, `--task binary`). The library never words an option for one interface."""

from __future__ import annotations

import re

OPTIONS: dict[str, tuple[str, str]] = {
    "data": ("DATA", "data"),
    "target": ("--target", "target"),
    "task": ("--task", "task"),
    "budget": ("--budget", "budget"),
    "time_col": ("--time-col", "time_col"),
    "gap": ("--gap", "gap"),
    "group_col": ("--group-col", "group_col"),
    "min_gain": ("--min-gain", "min_gain"),
    "explain_required": ("--explain-required", "explain_required=True"),
    "seed": ("--seed", "seed"),
    "jobs": ("--jobs", "n_jobs"),
    "device": ("--device", "device"),
    "skip_check": ("--skip-check", "skip_checks"),
    "out": ("--out", "run_dir"),
    "out_dir": ("--out", "out_dir"),
    "image_col": ("--image-col", "image_col"),
    "image_size": ("--image-size", "image_size"),
    "weights": ("--weights", "weights"),
    "resume": ("--resume", "resume=True"),
    "fresh": ("--fresh", "fresh=True"),
}
"""Option name: (as the command line names it, as `assess` does)."""

_MARKER = re.compile(r"<(" + "|".join(OPTIONS) + r")(?:=([^<>\s]+))?>")


def worded(message: str, interface: str) -> str:
    """`message` with every option marker named for `interface` ('cli' or 'python')."""
    cli = interface == "cli"

    def name(match: re.Match) -> str:
        flag, argument = OPTIONS[match.group(1)]
        value = match.group(2)
        if value is None:
            return flag if cli else argument
        return f"{flag} {value}" if cli else f"{argument}={value!r}"

    return _MARKER.sub(name, message)


class _Worded:
    """An error whose message holds option markers (see the module's docstring)."""

    def __init__(self, message: str) -> None:
        self.template = message
        super().__init__(worded(message, "python"))

    def for_command_line(self) -> str:
        return worded(self.template, "cli")


class DataError(_Worded, ValueError):
    """Bad input: the message says what is wrong and what to do."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped a run whose finished jobs are saved in a run store."""

    def __init__(self, saved_jobs: int, store_path: str) -> None:
        super().__init__(f"{saved_jobs} finished jobs saved in {store_path}")
        self.saved_jobs = saved_jobs
        self.store_path = store_path


class WorkerDied(_Worded, RuntimeError):
    """A worker process was killed under a run (most often by the system, for lack of memory):
    the message says what is saved and how to go on."""

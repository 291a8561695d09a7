"""The console script's entry point: light, so that a Ctrl-C while the heavy libraries are
still loading ends with one line, not a traceback."""

import signal
import sys


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        from dlcheck.cli import main as cli_main
    except KeyboardInterrupt:
        sys.stderr.write("interrupted while starting: nothing was done.\n")
        sys.exit(130)
    cli_main()

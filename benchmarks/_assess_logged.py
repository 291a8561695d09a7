"""`dlcheck run FILE --target COL --budget B --out DIR` through the Python API, with a line on
stderr, `STAGE <seconds since start> <what> (<done>/<total>)`, at each progress step (a job of
the benchmark or of a check done, a check done): bench_large.py --stages reads them to time
the benchmark and each check. Same pipeline as the command line, a thin layer over `assess`.

    python benchmarks/_assess_logged.py FILE TARGET BUDGET OUT_DIR [SKIP_CHECK ...]
"""

from __future__ import annotations

import sys
import time


def main(argv: list[str]) -> int:
    path, target, budget, out, *skip = argv
    started = time.perf_counter()

    def progress(what: str, done: int, total: int) -> None:
        print(f"STAGE {time.perf_counter() - started:.1f} {what} ({done}/{total})",
              file=sys.stderr, flush=True)

    from dlcheck import assess

    # run_dir: the run store in OUT_DIR, as `dlcheck run --out OUT_DIR` keeps it.
    assessment = assess(path, target, budget=budget, skip_checks=skip, progress=progress,
                        run_dir=out)
    assessment.save(out)
    print(f"STAGE {time.perf_counter() - started:.1f} saved", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

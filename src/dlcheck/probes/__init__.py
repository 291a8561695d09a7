"""Probes: measurements made on a model right after it is fitted on a fold, in the worker that
fitted it. A check asks for one by submitting jobs with `after_fit=probe_hook(NAME)` and reads
the figures from `JobResult.extras[NAME]`; on the first folds, which the run keeps the fits of
(`dlcheck.benchmark.fit_cache`), the job reads the model the benchmark fitted instead of
fitting it again.

Each probe is a function `probe(fitted: FittedFold) -> dict` of plain, JSON-ready figures
(`dlcheck.benchmark.fitting.FittedFold`), named in `PROBES`; the runner calls it through the
job's hook, by its import path, and never imports the probes.
"""

from __future__ import annotations

from dlcheck.benchmark.jobs import Hook

PROBES: dict[str, str] = {
    "explain": "dlcheck.probes.explain:explain",
    "robustness": "dlcheck.probes.robustness:robustness",
    "image_robustness": "dlcheck.probes.image_robustness:image_robustness",
    "image_explain": "dlcheck.probes.image_explain:image_explain",
}
"""Probe name -> 'module:function'."""


def probe_hook(name: str) -> Hook:
    """The hook that runs probe `name` on a job's fitted model."""
    return Hook(name, PROBES[name])

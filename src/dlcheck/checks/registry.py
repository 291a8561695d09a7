"""The list of pitfall checks, and the one function that runs them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from dlcheck.checks.base import Check, CheckContext, NotApplicable, applies_to, probed_folds
from dlcheck.checks.data_quantity import DataQuantity
from dlcheck.checks.explainability import Explainability
from dlcheck.checks.imbalance import ClassImbalance
from dlcheck.checks.labels import WrongLabels
from dlcheck.checks.leakage import DuplicatesAcrossFolds, GoldenFeature, IdentifierColumns
from dlcheck.checks.learning_curve import LearningCurves
from dlcheck.checks.meta_features import MetaFeatures
from dlcheck.checks.permutation import PermutationTest
from dlcheck.checks.robustness import Robustness
from dlcheck.checks.time_leakage import TimeSplitGap
from dlcheck.checks.tuning import Tuning
from dlcheck.findings import Finding

CHECKS: tuple[Check, ...] = (
    Tuning(),
    DataQuantity(),
    MetaFeatures(),
    ClassImbalance(),
    GoldenFeature(),
    DuplicatesAcrossFolds(),
    IdentifierColumns(),
    TimeSplitGap(),
    PermutationTest(),
    WrongLabels(),
    LearningCurves(),
    Robustness(),
    Explainability(),
)


def check_codes() -> list[str]:
    return [c.code for c in CHECKS]


def folds_to_keep(kind: str, skip: Iterable[str] = (), checks: Iterable[Check] = CHECKS) \
        -> int:
    """The most first folds on which a check to run will probe fitted models."""
    return max((probed_folds(c, kind) for c in checks
                if c.code not in set(skip) and applies_to(c, kind)), default=0)


def run_checks(
    context: CheckContext,
    skip: Iterable[str] = (),
    progress: Callable[[str, int, int], None] | None = None,
    checks: Iterable[Check] = CHECKS,
    timings: dict[str, float] | None = None,
) -> list[Finding]:
    """The findings of every check that applies to the dataset's kind and is not skipped,
    in the order of `checks` (a check only reads the results, so the order changes nothing
    but the order of the findings). A check that crashes becomes a finding of severity
    `error` naming it: one broken check never takes the assessment down. `timings` receives
    each check's wall seconds (`check:<code>`)."""
    selected = [c for c in checks if c.code not in set(skip)
                and applies_to(c, context.dataset.kind)]
    findings: list[Finding] = []
    for done, check in enumerate(selected):
        if progress:  # named while it runs, not after
            progress(f"check {check.code}", done, len(selected))
        started = time.perf_counter()
        try:
            findings += check.run(context)
        except NotApplicable:
            pass
        except Exception as exc:
            findings.append(Finding(
                check.code, "error", f"The check {check.title!r} failed: "
                f"{type(exc).__name__}: {exc}", {"error": f"{type(exc).__name__}: {exc}"},
                "The rest of the assessment is unaffected; please report this failure.",
            ))
        if timings is not None:
            timings[f"check:{check.code}"] = time.perf_counter() - started
    if progress and selected:
        progress("checks done", len(selected), len(selected))
    return findings

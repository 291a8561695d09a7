"""What the verdict and the report need from a check, as typed fields: a check attaches one of
these to its finding (`Finding.outcome`), and readers take it by its type, never from a key
of the evidence dict (which stays, for people) nor from a sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dlcheck.findings import Finding


@dataclass(frozen=True)
class PermutationOutcome:
    """The label-permutation test of the best model."""

    p_value: float | None
    """None when the test is inconclusive (too few shuffles to reach the level)."""


@dataclass(frozen=True)
class SurrogateFidelity:
    """How faithfully a depth-3 tree reproduces one model's predictions."""

    family: str
    fidelity: float
    faithful: bool
    constant_agreement: float | None
    threshold: float
    measure: str
    """'r2' (regression) or 'agreement' (classification)."""


@dataclass(frozen=True)
class ExplainabilityOutcome:
    models: dict[str, SurrogateFidelity] = field(default_factory=dict)


@dataclass(frozen=True)
class LearningCurveOutcome:
    curves: list[dict[str, Any]]
    """Per model: measured points and projections, as report.json's `learning_curves`."""
    crossing: dict[str, Any] | None
    """Where deep learning would catch up: `status` ('crosses', 'no crossing', 'deep already
    ahead', 'undetermined'), `rows` and its interval, `times_today`, `horizon`,
    `deep_rows_seen`; None when there is no pair of curves to compare."""


@dataclass(frozen=True)
class NotTriedOutcome:
    """Rungs of the ladder that could not be tried on this data (a pretrained network without
    its weights), and why."""

    models: dict[str, str] = field(default_factory=dict)


T = TypeVar("T")


def outcome_of(findings: Iterable[Finding], kind: type[T]) -> T | None:
    """The first outcome of this type among the findings; None when no check gave one."""
    return next((f.outcome for f in findings if isinstance(f.outcome, kind)), None)

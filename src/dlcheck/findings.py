"""A finding: one measured fact about the data or the benchmark, with advice."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

Severity = Literal["info", "warning", "critical", "error"]


@dataclass(frozen=True)
class Finding:
    check: str
    severity: Severity
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    advice: str = ""
    blocking: bool = False
    """A blocking finding makes any benchmark misleading: the verdict becomes `fix_data`."""
    confidence: Literal["low", "medium", "high"] | None = None
    """For a blocking finding, how sure the check is that the problem is real (the `fix_data`
    verdict's confidence); None: medium."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def rounded(value: float | None, digits: int = 4) -> float | None:
    """A figure as evidence carries it: rounded; None for a missing, NaN or infinite value
    (report.json is written with allow_nan=False)."""
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)

"""A finding: one measured fact about the data or the benchmark, with advice."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
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
    outcome: Any = field(default=None, compare=False, repr=False)
    """What the verdict and the report read of this finding, typed (checks/outcomes.py);
    not part of report.json, whose evidence says the same for people."""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(replace(self, outcome=None))
        del out["outcome"]
        return out


def rounded(value: float | None, digits: int = 4) -> float | None:
    """A figure as evidence carries it: rounded; None for a missing, NaN or infinite value
    (report.json is written with allow_nan=False)."""
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)

"""A finding: one measured fact about the data or the benchmark, with advice."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

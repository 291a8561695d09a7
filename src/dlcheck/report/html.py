"""HTML view of a report dict, through Jinja2 templates shipped with the package.

The page is one self-contained file: styles, the sorting script and the plots (inline SVG)
are inside it, and it requests nothing from the network. Everything comes from the report dict;
the filters below only format values.
"""

from __future__ import annotations

import json
import math
from functools import cache
from typing import Any

import jinja2

from dlcheck.report.plots import render_plots

DECISION_LABELS = {
    "deep_learning": "Deep learning is worth it",
    "classical": "A classical model is all you need",
    "no_signal": "No model beats the baseline",
    "fix_data": "Fix the data first",
}
COST_LABELS = {"fit_seconds": "fit time", "predict_ms_per_1k": "latency",
               "size_bytes": "size", "n_params": "parameters"}


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return "–"
    if value != 0 and abs(value) < 10 ** -digits:
        return f"{value:.{digits}g}"
    return f"{value:,.{digits}f}"


def _bytes(value: Any) -> str:
    if value is None:
        return "–"
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return str(value)


def _raw(value: Any) -> str:
    """A number as the machine reads it, for data-value attributes; empty when absent."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return repr(value) if math.isfinite(value) else ""


def _pct(value: Any) -> str:
    return "–" if not isinstance(value, int | float) else f"{value:.1%}"


def _scalars(evidence: Any) -> list[tuple[str, Any]]:
    """The top-level figures of a finding's evidence that fit on one line."""
    if not isinstance(evidence, dict):
        return []
    return [(str(k), v) for k, v in evidence.items()
            if v is None or isinstance(v, str | int | float | bool)]


def _nested(evidence: Any) -> bool:
    return isinstance(evidence, dict) and any(isinstance(v, dict | list)
                                              for v in evidence.values())


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dlcheck.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(num=_num, bytes=_bytes, raw=_raw, pct=_pct, scalars=_scalars,
                       nested=_nested, pretty=_pretty)
    env.globals.update(decision_label=lambda d: DECISION_LABELS.get(d, d),
                       cost_label=lambda k: COST_LABELS.get(k, k))
    return env


def render_html(report: dict[str, Any]) -> str:
    return _environment().get_template("report.html.j2").render(
        report=report, plots=render_plots(report))

"""Markdown view of a report dict: a short summary for a pull request or a chat.

Markdown renderers pass raw HTML through, so every string from the report is escaped for
both HTML (`<`, `>`, `&`) and Markdown (`|`, backticks and the other inline markers).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from dlcheck.report.format import FILTERS, decision_label, md  # noqa: F401  (md: public)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dlcheck.report", "templates"),
        autoescape=False, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update({k: FILTERS[k] for k in ("md", "num", "bytes")})
    env.globals.update(decision_label=decision_label)
    return env


def render_markdown(report: dict[str, Any], top: int = 5) -> str:
    reverse = report["comparison"]["greater_is_better"]
    scored = [m for m in report["models"] if m.get("mean") is not None]
    ladder = sorted(scored, key=lambda m: m["mean"], reverse=reverse)[:top]
    return _environment().get_template("report.md.j2").render(report=report, ladder=ladder)

"""Markdown view of a report dict: a short summary for a pull request or a chat.

Markdown renderers pass raw HTML through, so every string from the report is escaped for
both HTML (`<`, `>`, `&`) and Markdown (`|`, backticks and the other inline markers).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jinja2

from dlcheck.report.html import DECISION_LABELS, _bytes, _num

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def md(value: Any) -> str:
    """A user or report string as literal Markdown text on one line."""
    text = "–" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dlcheck.report", "templates"),
        autoescape=False, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update(md=md, num=_num, bytes=_bytes)
    env.globals.update(decision_label=lambda d: DECISION_LABELS.get(d, d))
    return env


def render_markdown(report: dict[str, Any], top: int = 5) -> str:
    reverse = report["comparison"]["greater_is_better"]
    scored = [m for m in report["models"] if m.get("mean") is not None]
    ladder = sorted(scored, key=lambda m: m["mean"], reverse=reverse)[:top]
    return _environment().get_template("report.md.j2").render(report=report, ladder=ladder)

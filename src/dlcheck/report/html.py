"""HTML view of a report dict, through Jinja2 templates shipped with the package.

The page is one self-contained file: styles, the sorting script and the plots (inline SVG)
are inside it, and it requests nothing from the network. Everything comes from the report dict;
the filters (report/format.py) only format values.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from dlcheck.report.format import FILTERS, cost_label, decision_label
from dlcheck.report.plots import render_plots


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dlcheck.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update({k: FILTERS[k] for k in ("num", "bytes", "raw", "pct", "scalars",
                                                 "nested", "pretty", "pictures")})
    env.globals.update(decision_label=decision_label, cost_label=cost_label)
    return env


def render_html(report: dict[str, Any]) -> str:
    return _environment().get_template("report.html.j2").render(
        report=report, plots=render_plots(report))

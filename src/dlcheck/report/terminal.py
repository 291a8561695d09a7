"""Terminal view of a report dict: the ladder as a table, then the verdict and its reasons."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dlcheck.report.format import bytes_ as _bytes
from dlcheck.report.format import num as _num

_DECISION_STYLE = {"deep_learning": "bold magenta", "classical": "bold green",
                   "no_signal": "bold yellow", "fix_data": "bold red"}
_SEVERITY_STYLE = {"info": "cyan", "warning": "yellow", "critical": "bold red", "error": "red"}


def ladder_table(report: dict[str, Any]) -> Table:
    comparison = report["comparison"]
    metric = comparison["metric"]
    table = Table(title=f"The ladder ({metric}, 95% intervals)", title_justify="left")
    for header, justify in (("model", "left"), ("family", "left"), (metric, "right"),
                            ("95% CI", "right"), ("fit s", "right"), ("ms / 1k rows", "right"),
                            ("size", "right"), ("params", "right"), ("notes", "left")):
        table.add_column(header, justify=justify)
    recommended = report["verdict"]["recommended_model"]
    for m in report["models"]:
        marks = []
        if m["name"] == comparison["best_classical"]:
            marks.append("best classical")
        if m["name"] == comparison["best_deep"]:
            marks.append("best deep")
        if m["name"] == recommended:
            marks.append("recommended")
        if m.get("tuned_variant"):
            marks.append(f"compared as {m['tuned_variant']}")
        notes = marks + (["subsample"] if m["subsampled"] else []) + m["notes"]
        table.add_row(
            Text(m["name"], style="bold" if m["name"] == recommended else ""),
            m["family"], _num(m["mean"]), f"{_num(m['ci_low'])} – {_num(m['ci_high'])}",
            _num(m["fit_seconds"], 2), _num(m["predict_ms_per_1k"], 1),
            _bytes(m["size_bytes"]), _num(m["n_params"]), "; ".join(notes),
        )
    return table


def verdict_panel(report: dict[str, Any]) -> Panel:
    v = report["verdict"]
    lines = [
        Text.assemble(("Verdict: ", "bold"), (v["decision"], _DECISION_STYLE[v["decision"]]),
                      f"   recommended: {v['recommended_model']}   confidence: {v['confidence']}"),
        Text(""),
    ]
    lines += [Text(f"• {reason}") for reason in v["reasons"]]
    lines += [Text(""), Text.assemble(("Outlook: ", "bold"), v["outlook"])]
    return Panel(Group(*lines), title="dlcheck", border_style="blue")


def print_summary(report: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    console.print(ladder_table(report))
    shown = [f for f in report["findings"] if f["severity"] != "info"]
    for f in shown:
        console.print(Text.assemble((f"[{f['severity']}] ", _SEVERITY_STYLE[f["severity"]]),
                                    f"{f['check']}: {f['summary']}"))
    console.print(verdict_panel(report))

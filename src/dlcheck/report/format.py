"""Every formatting filter of the report's views (HTML, Markdown, terminal), in one place:
each turns a value of report.json into text and computes nothing."""

from __future__ import annotations

import json
import math
import re
from typing import Any

DECISION_LABELS = {
    "deep_learning": "Deep learning is worth it",
    "classical": "A classical model is all you need",
    "no_signal": "No model beats the baseline",
    "fix_data": "Fix the data first",
}
COST_LABELS = {"fit_seconds": "fit time", "predict_ms_per_1k": "latency",
               "size_bytes": "size", "n_params": "parameters"}


def num(value: Any, digits: int = 3) -> str:
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


def bytes_(value: Any) -> str:
    if value is None:
        return "–"
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return str(value)


def raw(value: Any) -> str:
    """A number as the machine reads it, for data-value attributes; empty when absent."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return repr(value) if math.isfinite(value) else ""


def pct(value: Any) -> str:
    return "–" if not isinstance(value, int | float) else f"{value:.1%}"


def scalars(evidence: Any) -> list[tuple[str, Any]]:
    """The top-level figures of a finding's evidence that fit on one line."""
    if not isinstance(evidence, dict):
        return []
    return [(str(k), v) for k, v in evidence.items()
            if v is None or isinstance(v, str | int | float | bool)]


def nested(evidence: Any) -> bool:
    return isinstance(evidence, dict) and any(isinstance(v, dict | list)
                                              for v in evidence.values())


def pretty(value: Any) -> str:
    """The figures as indented JSON; embedded images (data: URIs, shown as pictures
    elsewhere on the page) as a short placeholder."""
    return json.dumps(_without_images(value), indent=1, ensure_ascii=False)


def _without_images(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_images(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_images(v) for v in value]
    if _is_image(value):
        return "(an image)"
    return value


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def md(value: Any) -> str:
    """A user or report string as literal Markdown text on one line."""
    text = "–" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


def decision_label(decision: str) -> str:
    return DECISION_LABELS.get(decision, decision)


def cost_label(cost: str) -> str:
    return COST_LABELS.get(cost, cost)


MAX_PICTURES = 24
"""Images shown under one finding at most."""


def pictures(evidence: Any) -> list[dict[str, str]]:
    """The images a finding's evidence holds (data: URIs), each with a caption made of the
    plain figures beside it (a suspect's file, label and prediction; a perturbation's name),
    in the order they appear."""
    found: list[dict[str, str]] = []

    def walk(value: Any, name: str) -> None:
        if len(found) >= MAX_PICTURES:
            return
        if isinstance(value, dict):
            plain = [f"{k.replace('_', ' ')} {v}" for k, v in value.items()
                     if isinstance(v, str | int | float) and not _is_image(v)
                     and k not in {"row"}][:3]
            for key, item in value.items():
                if _is_image(item):
                    label = key.replace("_", " ") if key != "image" else ""
                    found.append({"src": item, "caption": "; ".join(
                        [label] * bool(label) + plain)})
                else:
                    walk(item, key)
        elif isinstance(value, list):
            for item in value:
                walk(item, name)

    walk(evidence, "")
    return found[:MAX_PICTURES]


def _is_image(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("data:image/")


FILTERS = {"num": num, "bytes": bytes_, "raw": raw, "pct": pct, "scalars": scalars,
           "nested": nested, "pretty": pretty, "md": md, "pictures": pictures}
"""The filters by the name the templates use."""

"""Plots of a report dict as inline SVG strings (matplotlib, no pyplot, no global state).

Each function takes the report dict and returns an SVG string, or None when the report holds
no data for that plot (a skipped check, a regression has no classes). The figures only draw
what report.json holds: nothing here computes a statistic.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from typing import Any

import matplotlib
from matplotlib.figure import Figure

FAMILY_COLORS = {"baseline": "#8a8f99", "linear": "#3a63d8", "tree": "#2e9d5b",
                 "ensemble": "#e08a1e", "deep": "#9b3ad8"}
_RC = {"svg.fonttype": "none", "svg.hashsalt": "dlcheck", "font.size": 9,
       "font.family": "sans-serif", "axes.spines.top": False, "axes.spines.right": False,
       "text.usetex": False}
_MAX_LABEL = 40


def _text(value: Any) -> str:
    """A user string as a plain label: no mathtext, shortened."""
    text = str(value)
    if len(text) > _MAX_LABEL:
        text = text[:_MAX_LABEL - 1] + "…"
    return text.replace("$", r"\$")


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _svg(fig: Figure, name: str) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buffer, format="svg", bbox_inches="tight",
                    metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]  # no XML prolog or doctype inside HTML
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    # Several SVGs share one page: give each its own ids.
    svg = svg.replace('id="', f'id="{name}-').replace("url(#", f"url(#{name}-")
    svg = svg.replace('href="#', f'href="#{name}-')
    return svg


def _figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(_RC):
        return Figure(figsize=(width, height), layout="constrained")


def _models(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in report["models"] if _finite(m.get("mean"))]


def _ordered(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Models best first."""
    reverse = report["comparison"]["greater_is_better"]
    return sorted(_models(report), key=lambda m: m["mean"], reverse=reverse)


def _finding(report: dict[str, Any], check: str, key: str) -> dict[str, Any] | None:
    return next((f["evidence"] for f in report["findings"]
                 if f["check"] == check and isinstance(f.get("evidence"), dict)
                 and key in f["evidence"]), None)


def scores(report: dict[str, Any]) -> str | None:
    models = _ordered(report)[::-1]  # best at the top
    if not models:
        return None
    comparison = report["comparison"]
    with matplotlib.rc_context(_RC):
        fig = _figure(7, 0.9 + 0.32 * len(models))
        ax = fig.add_subplot()
        for i, m in enumerate(models):
            color = FAMILY_COLORS.get(m["family"], "#444")
            low = m["ci_low"] if _finite(m.get("ci_low")) else m["mean"]
            high = m["ci_high"] if _finite(m.get("ci_high")) else m["mean"]
            ax.plot([low, high], [i, i], color=color, lw=2.5, alpha=0.6)
            best = m["name"] in (comparison["best_classical"], comparison["best_deep"])
            ax.plot(m["mean"], i, "o", color=color, ms=8 if best else 6,
                    mec="black" if best else color)
        ax.set_yticks(range(len(models)), [_text(m["name"]) for m in models])
        ax.set_xlabel(f"{_text(comparison['metric'])} (mean and 95% interval; "
                      f"{'higher' if comparison['greater_is_better'] else 'lower'} is better)")
        ax.grid(axis="x", alpha=0.3)
        return _svg(fig, "scores")


def cost(report: dict[str, Any]) -> str | None:
    models = _models(report)
    costs = (("fit_seconds", "fit time per fold (s)"),
             ("predict_ms_per_1k", "prediction latency (ms per 1,000 rows)"))
    if not models:
        return None
    front = report.get("pareto_front") or {}
    with matplotlib.rc_context(_RC):
        fig = _figure(9, 3.6)
        axes = fig.subplots(1, 2, sharey=True)
        for ax, (key, label) in zip(axes, costs, strict=True):
            points = [m for m in models if _finite(m.get(key)) and m[key] > 0]
            for m in points:
                ax.plot(m[key], m["mean"], "o", color=FAMILY_COLORS.get(m["family"], "#444"))
                ax.annotate(_text(m["name"]), (m[key], m["mean"]), fontsize=7,
                            xytext=(4, 3), textcoords="offset points")
            on_front = sorted((m for m in points if m["name"] in front.get(key, [])),
                              key=lambda m: m[key])
            if on_front:
                ax.plot([m[key] for m in on_front], [m["mean"] for m in on_front], "--",
                        color="#d83a3a", drawstyle="steps-post", lw=1.2,
                        label="Pareto front")
                ax.plot([m[key] for m in on_front], [m["mean"] for m in on_front], "o",
                        mfc="none", mec="#d83a3a", ms=11)
                ax.legend(loc="lower right", fontsize=7)
            if points:
                ax.set_xscale("log")
            ax.set_xlabel(label)
            ax.grid(alpha=0.3)
        axes[0].set_ylabel(_text(report["comparison"]["metric"]))
        return _svg(fig, "cost")


def learning_curves(report: dict[str, Any]) -> str | None:
    curves = [c for c in report.get("learning_curves") or [] if c.get("train_rows")]
    if not curves:
        return None
    families = {m["name"]: m["family"] for m in report["models"]}
    with matplotlib.rc_context(_RC):
        fig = _figure(7, 3.8)
        ax = fig.add_subplot()
        for c in curves:
            color = FAMILY_COLORS.get(c.get("family") or families.get(c["model"]), "#444")
            ax.plot(c["train_rows"], c["scores"], "o-", color=color, label=_text(c["model"]))
            projected = [(r, p, lo, hi) for r, p, lo, hi in zip(
                c.get("projection_rows") or [], c.get("projected") or [],
                c.get("projected_low") or [], c.get("projected_high") or [], strict=False)
                if _finite(p)]
            if projected:
                rows = [c["train_rows"][-1]] + [p[0] for p in projected]
                ax.plot(rows, [c["scores"][-1]] + [p[1] for p in projected], "--",
                        color=color, alpha=0.8)
                band = [p for p in projected if _finite(p[2]) and _finite(p[3])]
                if band:
                    ax.fill_between([c["train_rows"][-1]] + [p[0] for p in band],
                                    [c["scores"][-1]] + [p[2] for p in band],
                                    [c["scores"][-1]] + [p[3] for p in band],
                                    color=color, alpha=0.12, lw=0)
        ax.set_xscale("log")
        ax.set_xlabel("training rows (measured: solid; projected: dashed, 95% bootstrap band)")
        ax.set_ylabel(_text(report["comparison"]["metric"]))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        return _svg(fig, "learning_curves")


def class_balance(report: dict[str, Any]) -> str | None:
    counts = report["dataset"].get("class_counts") or {}
    if not counts:
        return None
    names = list(counts)
    with matplotlib.rc_context(_RC):
        fig = _figure(6, 0.8 + 0.3 * len(names))
        ax = fig.add_subplot()
        values = [counts[n] for n in names]
        ax.barh(range(len(names)), values, color="#3a63d8")
        total = sum(values) or 1
        for i, v in enumerate(values):
            ax.annotate(f"{v:,} ({v / total:.1%})", (v, i), xytext=(3, 0), fontsize=7,
                        textcoords="offset points", va="center")
        ax.set_yticks(range(len(names)), [_text(n) for n in names])
        ax.invert_yaxis()
        ax.set_xlabel("rows per class")
        ax.margins(x=0.2)
        return _svg(fig, "class_balance")


def robustness(report: dict[str, Any]) -> str | None:
    evidence = _finding(report, "robustness", "levels")
    if not evidence or not evidence.get("models"):
        return None
    levels = evidence["levels"]
    families = {m["name"]: m["family"] for m in report["models"]}
    with matplotlib.rc_context(_RC):
        fig = _figure(7, 3.6)
        ax = fig.add_subplot()
        for name, m in evidence["models"].items():
            ys = [m["clean"], *m["noisy"]]
            ax.plot([0, *levels], ys, "o-", color=FAMILY_COLORS.get(families.get(name), "#444"),
                    label=_text(name), lw=2.2 if name == evidence.get("best_model") else 1)
        if _finite(evidence.get("dummy_score")):
            ax.axhline(evidence["dummy_score"], color="#8a8f99", ls=":", label="dummy")
        ax.set_xticks([0, *levels])
        ax.set_xlabel("Gaussian noise added (x each numeric feature's training std)")
        ax.set_ylabel(_text(evidence.get("metric", "")))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
        return _svg(fig, "robustness")


def importance(report: dict[str, Any]) -> str | None:
    evidence = _finding(report, "explainability", "models")
    if not evidence:
        return None
    explained = {n: e for n, e in evidence["models"].items() if e.get("importance")}
    chosen = [next((n for n, e in explained.items() if role in e.get("roles", [])), None)
              for role in ("best classical", "best deep")]
    chosen = [n for n in dict.fromkeys(chosen) if n is not None] or list(explained)[:2]
    if not chosen:
        return None
    families = {m["name"]: m["family"] for m in report["models"]}
    with matplotlib.rc_context(_RC):
        fig = _figure(4.5 * len(chosen), 3.6)
        axes = fig.subplots(1, len(chosen), squeeze=False)[0]
        for ax, name in zip(axes, chosen, strict=True):
            e = explained[name]
            columns = (e.get("top_columns") or sorted(
                e["importance"], key=lambda c: -(e["importance"][c] or 0)))[:10]
            values = [e["importance"][c] or 0 for c in columns]
            ax.barh(range(len(columns)), values,
                    color=FAMILY_COLORS.get(families.get(name, e.get("family")), "#444"))
            ax.set_yticks(range(len(columns)), [_text(c) for c in columns])
            ax.invert_yaxis()
            roles = ", ".join(e.get("roles", []))
            ax.set_title(_text(name) + (f" ({roles})" if roles else ""), fontsize=9)
            ax.set_xlabel(f"loss of {_text(evidence.get('metric', ''))} when shuffled")
            ax.grid(axis="x", alpha=0.3)
        return _svg(fig, "importance")


def tuning(report: dict[str, Any]) -> str | None:
    evidence = _finding(report, "tuning", "models")
    rows = {n: r for n, r in (evidence or {}).get("models", {}).items()
            if _finite(r.get("default")) and _finite(r.get("tuned"))}
    if not rows:
        return None
    names = list(rows)
    with matplotlib.rc_context(_RC):
        fig = _figure(6, 0.9 + 0.45 * len(names))
        ax = fig.add_subplot()
        for i, name in enumerate(names):
            r = rows[name]
            ax.plot([r["default"], r["tuned"]], [i, i], color="#8a8f99", lw=1.5)
            ax.plot(r["default"], i, "o", color="#8a8f99",
                    label="default" if i == 0 else None)
            ax.plot(r["tuned"], i, "o", color=FAMILY_COLORS.get(r.get("family"), "#444"),
                    label="tuned" if i == 0 else None)
        ax.set_yticks(range(len(names)), [_text(n) for n in names])
        ax.set_xlabel(f"{_text(evidence.get('metric', ''))}, mean over folds")
        ax.margins(y=0.3)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(fontsize=7)
        return _svg(fig, "tuning")


PLOTS: dict[str, tuple[Callable[[dict[str, Any]], str | None], str]] = {
    "scores": (scores, "Mean score of every model over the folds, with its 95% interval "
                       "(corrected resampled t-test). Ringed: best classical and best deep."),
    "cost": (cost, "Score against cost: fit time and prediction latency (log scales). The "
                   "dashed line joins the Pareto front: no other model is both better and "
                   "cheaper."),
    "learning_curves": (learning_curves, "Learning curves: scores measured on growing shares "
                                         "of each training fold, and an inverse power law's "
                                         "projection with its bootstrap band."),
    "class_balance": (class_balance, "Rows per class of the target."),
    "robustness": (robustness, "Score under Gaussian noise added to the numeric features of "
                               "the test rows (first fold)."),
    "importance": (importance, "Permutation importance: how much the score drops when a "
                               "column is shuffled, for the best classical and the best deep "
                               "model side by side."),
    "tuning": (tuning, "Default against tuned scores, each tuned inside every outer fold on "
                       "rows its test part never saw."),
}


def render_plots(report: dict[str, Any]) -> list[dict[str, str]]:
    """The plots the report has data for, in page order: name, svg, caption."""
    out = []
    for name, (draw, caption) in PLOTS.items():
        svg = draw(report)
        if svg is not None:
            out.append({"name": name, "svg": svg, "caption": caption})
    return out

"""The views of a report dict: report.html (self-contained, plots, sortable ladder, safe with
hostile names), report.md, `dlcheck report DIR`, on binary, multiclass and regression reports."""

import copy
import html
import json
import re

import numpy as np
import pandas as pd
import pytest

from dlcheck import assess
from dlcheck.assessment import Assessment
from dlcheck.report.html import render_html
from dlcheck.report.markdown import render_markdown
from dlcheck.report.plots import PLOTS

from .helpers import SMOKE_BUDGET, all_checks_but

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
CATEGORY = "a|`b`<b>&"
CHEAP = all_checks_but("data_quantity", "class_imbalance", "leakage_single_feature",
                       "leakage_duplicates", "leakage_id_columns", "wrong_labels",
                       "meta_features")


def _table(task: str, n: int = 240, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    df = pd.DataFrame(X, columns=[SCRIPT, IMG, "x2", "x3"])
    df["colour"] = rng.choice([CATEGORY, "plain"], n)
    signal = X[:, 0] + X[:, 1] + 0.5 * rng.normal(size=n)
    if task == "binary":
        df["y"] = np.where(signal > 0.3, IMG, "no")
    elif task == "multiclass":
        df["y"] = np.digitize(signal, [-0.7, 0.7]).astype(str)
    else:
        df["y"] = signal
    return df


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    return {task: assess(_table(task), "y", n_jobs=2, budget=SMOKE_BUDGET, skip_checks=CHEAP,
                         data_name=f"{SCRIPT}.csv").report
            for task in ("binary", "multiclass", "regression")}


def _with_slow_check_evidence(report: dict) -> dict:
    """Evidence shaped as the tuning, robustness, explainability and learning-curve checks
    write it (those checks are too slow for this file; their own tests run them)."""
    r = copy.deepcopy(report)
    c = r["comparison"]
    classical, deep, metric = c["best_classical"], c["best_deep"], c["metric"]
    importance = {SCRIPT: 0.3, IMG: 0.2, "x2": 0.01, "x3": 0.0, "colour": -0.01}
    r["findings"] += [
        {"check": "tuning", "severity": "info", "summary": "tuned", "advice": "",
         "evidence": {"metric": metric, "models": {
             classical: {"family": "ensemble", "default": 0.8, "tuned": 0.82},
             deep: {"family": "deep", "default": 0.78, "tuned": 0.81}}}},
        {"check": "robustness", "severity": "info", "summary": "noise", "advice": "",
         "evidence": {"metric": metric, "levels": [0.1, 0.3, 1.0], "dummy_score": 0.5,
                      "best_model": classical, "models": {
                          classical: {"clean": 0.8, "noisy": [0.79, 0.75, 0.6]},
                          deep: {"clean": 0.78, "noisy": [0.77, 0.74, 0.62]}}}},
        {"check": "explainability", "severity": "info", "summary": "importance", "advice": "",
         "evidence": {"metric": metric, "models": {
             classical: {"family": "ensemble", "roles": ["best classical"],
                         "importance": importance, "top_columns": [SCRIPT, IMG, "x2"]},
             deep: {"family": "deep", "roles": ["best deep"], "importance": importance,
                    "top_columns": [IMG, SCRIPT, "x2"]}}}},
    ]
    r["learning_curves"] = [
        {"model": name, "family": family, "train_rows": [20, 40, 80, 160],
         "scores": [0.6, 0.7, 0.75, 0.78], "projection_rows": [320, 1600],
         "projected": [0.8, 0.82], "projected_low": [0.78, 0.76], "projected_high": [0.82, 0.86]}
        for name, family in ((classical, "ensemble"), (deep, "deep"))]
    return r


def _plots(html: str) -> list[str]:
    return re.findall(r'<figure class="plot" data-plot="([a-z_]+)">', html)


def _assert_self_contained(html: str) -> None:
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "@import" not in html and "@font-face" not in html
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html


def _assert_escaped(html: str) -> None:
    scripts = re.findall(r"<script\b", html)
    assert len(scripts) == 1  # the ladder's sorting script, nothing from the data
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_page_has_every_section_and_only_the_plots_it_has_data_for(reports, task):
    report = reports[task]
    html = render_html(report)
    print(f"{task}: report.html {len(html.encode()):,} bytes")
    assert len(html.encode()) < 1_000_000
    for anchor in ('id="verdict"', '<table id="ladder">', 'id="findings"', 'id="the-data"',
                   'id="protocol"', 'name="viewport"', "@media print"):
        assert anchor in html
    assert "Pareto front" in html
    expected = ["scores", "cost"] + (["class_balance"] if task != "regression" else [])
    assert _plots(html) == expected
    for figure in re.findall(r'<figure class="plot".*?</figure>', html, re.S):
        assert figure.count("<svg") == 1 and "<figcaption>" in figure
    for model in report["models"]:
        assert f'data-model="{model["name"]}"' in html
    headers = re.findall(r"<th[^>]*data-sort=\"(number|text)\"", html)
    assert len(headers) == 10
    _assert_self_contained(html)
    _assert_escaped(html)


def test_all_plots_with_slow_check_evidence(reports):
    report = _with_slow_check_evidence(reports["binary"])
    html = render_html(report)
    print(f"binary with every plot: report.html {len(html.encode()):,} bytes")
    assert _plots(html) == list(PLOTS)
    assert len(html.encode()) < 5_000_000
    _assert_self_contained(html)
    _assert_escaped(html)


def test_error_finding_and_subsampled_model_are_shown(reports):
    report = copy.deepcopy(reports["multiclass"])
    report["findings"].append({"check": "model_failed", "severity": "error",
                               "summary": f"tabm failed: {SCRIPT}", "advice": "Report it.",
                               "evidence": {"model": "tabm", "error": IMG}})
    model = next(m for m in report["models"] if m["family"] == "deep")
    model.update(train_rows=100, train_rows_available=190, subsampled=True)
    html = render_html(report)
    assert 'class="finding severity-error"' in html
    assert html.index("severity-error") < html.index('id="the-data"')
    assert f"<strong>{model['name']}</strong> (100 of 190 rows)" in html
    _assert_escaped(html)
    markdown = render_markdown(report)
    assert "**error** model\\_failed" in markdown and "<script" not in markdown
    name = model["name"].replace("_", "\\_")
    assert f"subsample of each training fold (the budget's cap for slow models): {name} " \
           "(100 of 190 rows)." in markdown
    if f"| {name}" in markdown:  # in the top of the ladder: its row says it too
        assert "| 100 of 190 (subsample) |" in markdown


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_markdown_summary(reports, task):
    report = reports[task]
    text = render_markdown(report)
    v = report["verdict"]
    assert f"(`{v['decision']}`)" in text
    assert "**Reasons**" in text and "**Critical findings**" in text
    assert text.count("\n1. ") == 1
    best = report["comparison"]["best_model"].replace("_", "\\_")
    assert f"| {best}" in text
    assert "<" not in text.replace("&lt;", "")  # no raw HTML from the data
    assert "&lt;script&gt;" in text  # the file name


def test_hostile_names_in_markdown_are_text():
    from dlcheck.report.markdown import md

    assert md(SCRIPT) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert md(CATEGORY) == "a\\|\\`b\\`&lt;b&gt;&amp;"


def test_svg_keeps_hostile_text_escaped(reports):
    from dlcheck.report.plots import importance

    svg = importance(_with_slow_check_evidence(reports["binary"]))
    assert svg.startswith("<svg") and "<script" not in svg and "<img" not in svg
    assert "&lt;script&gt;" in svg
    assert "<metadata" not in svg and not re.search(r"href=\"(?!#)", svg)


def test_notebook_and_save_write_every_view(reports, tmp_path):
    a = Assessment(reports["regression"])
    inline = a._repr_html_()
    assert inline.startswith('<iframe srcdoc="')
    assert html.unescape(inline.split('srcdoc="')[1].split('" title=')[0]) == a.to_html()
    paths = a.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.json",
                                                          "report.md"]
    assert paths["md"].read_text() == a.to_markdown()


def test_a_crash_while_saving_leaves_the_earlier_reports_whole(reports, tmp_path,
                                                              monkeypatch):
    Assessment(reports["regression"]).save(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("dlcheck.assessment.os.fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        Assessment(reports["binary"]).save(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temporary left


def test_cli_report_re_renders_identically(reports, tmp_path, run_cli):
    Assessment(reports["binary"]).save(tmp_path)
    before = {p: (tmp_path / p).read_text() for p in ("report.html", "report.md")}
    (tmp_path / "report.html").unlink()
    result = run_cli("report", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert {p: (tmp_path / p).read_text() for p in before} == before
    result = run_cli("report", str(tmp_path), "--out", str(tmp_path / "page" / "x.html"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "page" / "x.html").read_text() == before["report.html"]


def test_cli_report_fails_cleanly_on_a_missing_or_invalid_json(tmp_path, run_cli):
    result = run_cli("report", str(tmp_path))
    assert result.returncode == 2 and "does not exist" in result.stderr
    (tmp_path / "report.json").write_text("{not json")
    result = run_cli("report", str(tmp_path))
    assert result.returncode == 2 and "not a readable report.json" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    (tmp_path / "report.json").write_text(json.dumps({"models": []}))
    assert run_cli("report", str(tmp_path)).returncode == 2


@pytest.mark.parametrize(("decision", "recommended"), [
    ("fix_data", None), ("no_signal", "dummy"), ("classical", "linear"),
    ("deep_learning", "tabm")])
def test_every_decision_renders_its_banner(reports, decision, recommended):
    report = copy.deepcopy(reports["binary"])
    report["verdict"].update(decision=decision, recommended_model=recommended)
    page = render_html(report)
    assert f'<section id="verdict" class="{decision}">' in page
    assert f"<code>{decision}</code>" in page
    assert f"`{decision}`" in Assessment(report).to_markdown()

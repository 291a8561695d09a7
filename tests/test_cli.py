"""The command line as a user meets it: a real example end to end, and bad input."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from tests.helpers import all_checks_but
from tests.report_cases import assert_unchanged

SPEC_KEYS = {
    "top": {"dlcheck_version", "dataset", "verdict", "models", "comparison", "findings",
            "learning_curves", "timings"},
    "dataset": {"rows", "columns", "task", "target", "column_kinds"},
    "verdict": {"decision", "recommended_model", "confidence", "reasons", "outlook"},
    "model": {"name", "family", "metric", "fold_scores", "mean", "ci_low", "ci_high",
              "fit_seconds", "predict_ms_per_1k", "size_bytes", "n_params"},
    "comparison": {"best_classical", "best_deep", "metric", "uplift", "ci_low", "ci_high",
                   "p_value"},
    "finding": {"check", "severity", "summary", "evidence", "advice"},
}


@pytest.mark.slow
def test_run_on_a_real_example_writes_a_complete_report(run_cli, tmp_path):
    result = run_cli("run", "--example", "wine", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert SPEC_KEYS["top"] <= set(report)
    assert SPEC_KEYS["dataset"] <= set(report["dataset"])
    assert SPEC_KEYS["verdict"] <= set(report["verdict"])
    assert SPEC_KEYS["comparison"] <= set(report["comparison"])
    assert report["verdict"]["decision"] in {"fix_data", "no_signal", "classical",
                                             "deep_learning"}
    assert report["verdict"]["confidence"] in {"low", "medium", "high"}
    assert report["verdict"]["reasons"] and report["verdict"]["outlook"]
    names = {m["name"] for m in report["models"]}
    ladder = {"dummy", "linear", "shallow_tree", "random_forest", "lightgbm", "mlp", "tabm"}
    assert ladder <= names and {n.removesuffix("_tuned") for n in names - ladder} <= ladder
    assert {f["check"] for f in report["findings"]} >= {"tuning", "robustness",
                                                         "explainability", "meta_features"}
    for m in report["models"]:
        assert SPEC_KEYS["model"] <= set(m)
        assert m["family"] in {"baseline", "linear", "tree", "ensemble", "deep"}
        assert len(m["fold_scores"]) == report["protocol"]["n_folds"]
        assert m["ci_low"] <= m["mean"] <= m["ci_high"]
    for f in report["findings"]:
        assert SPEC_KEYS["finding"] <= set(f)
    page = (tmp_path / "report.html").read_text()
    assert page.startswith("<!doctype html>")
    # Every check ran on real data: every plot of the page has its data (no hand-made evidence).
    assert set(re.findall(r'data-plot="([a-z_]+)"', page)) == {
        "scores", "cost", "learning_curves", "class_balance", "robustness", "importance",
        "tuning"}
    assert (tmp_path / "report.md").read_text().startswith("## dlcheck")
    assert "Verdict" in result.stdout and report["verdict"]["decision"] in result.stdout
    # ... and a reorganisation of the code changes no figure of it (tests/report_cases.py).
    assert_unchanged("wine", report)


@pytest.mark.slow
def test_run_on_a_csv_with_options(run_cli, tmp_path):
    rng = np.random.default_rng(0)
    n = 400
    df = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                       "shop": rng.choice(["a", "b", "c"], n),
                       "store": rng.integers(0, 20, n)})
    df["sales"] = 2 * df["x1"] + (df["shop"] == "a") + rng.normal(0, 0.5, n)
    path = tmp_path / "sales.csv"
    df.to_csv(path, index=False)
    out = tmp_path / "out"
    skip = [arg for code in all_checks_but("explainability") for arg in ("--skip-check", code)]
    result = run_cli("run", str(path), "--target", "sales", "--group-col", "store",
                     "--explain-required", "--seed", "3", "--out", str(out), "--quiet", *skip)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["protocol"]["split"] == "grouped"
    assert report["dataset"]["task"] == "regression"
    # Readable models, or one whose depth-3 surrogate the explainability check found faithful.
    recommended = report["verdict"]["recommended_model"]
    family = {m["name"]: m["family"] for m in report["models"]}[recommended]
    if family not in {"linear", "tree"}:
        [explained] = [f for f in report["findings"] if f["check"] == "explainability"]
        assert explained["evidence"]["models"][recommended]["faithful"]
    assert result.stdout == ""


def _write(tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def _table(rows: int, target_values=None) -> bytes:
    rng = np.random.default_rng(0)
    y = target_values if target_values is not None else rng.integers(0, 2, rows)
    df = pd.DataFrame({"age": rng.integers(20, 60, rows), "income": rng.normal(size=rows),
                       "churn": y})
    return df.to_csv(index=False).encode()


@pytest.mark.parametrize(("case", "make_args", "expected"), [
    ("missing file", lambda p: [str(p / "nope.csv"), "--target", "y"], "file not found"),
    ("empty file", lambda p: [_write(p, "e.csv", b""), "--target", "y"], "is empty"),
    ("unparseable", lambda p: [_write(p, "b.csv", b"\x00\xff\x00garbage\x01"), "--target",
                               "y"], "binary file"),
    ("missing target", lambda p: [_write(p, "t.csv", _table(50)), "--target", "Churn"],
     "Did you mean 'churn'"),
    ("single-valued target", lambda p: [_write(p, "s.csv", _table(50, [1] * 50)),
                                        "--target", "churn"], "single value"),
    ("too few rows", lambda p: [_write(p, "f.csv", _table(12)), "--target", "churn"],
     "at least 20 rows"),
    ("no target option", lambda p: [_write(p, "n.csv", _table(50))], "--target is required"),
])
def test_bad_input_exits_2_with_one_line_that_says_what_to_do(run_cli, tmp_path, case,
                                                               make_args, expected):
    result = run_cli("run", *make_args(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2, (case, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "report.json").exists()


def test_help_documents_every_option(run_cli):
    result = run_cli("run", "--help")
    assert result.returncode == 0
    for option in ("--target", "--task", "--budget", "--time-col", "--group-col",
                   "--min-gain", "--explain-required", "--seed", "--out", "--example"):
        assert option in result.stdout


def test_examples_lists_offline_data_sets(run_cli):
    result = run_cli("examples")
    assert result.returncode == 0
    for name in ("breast_cancer", "wine", "diabetes", "digits"):
        assert name in result.stdout


def test_unknown_example_exits_2(run_cli):
    result = run_cli("run", "--example", "nope")
    assert result.returncode == 2 and "unknown example" in result.stderr


@pytest.mark.parametrize(("extra", "expected"), [
    (["--seed", "-1"], "--seed must be between"),
    (["--device", "tpu"], "unknown --device"),
    (["--min-gain", "-0.1"], "--min-gain must be 0 or more"),
])
def test_bad_options_exit_2_before_any_work(run_cli, tmp_path, extra, expected):
    path = _write(tmp_path, "ok.csv", _table(60))
    result = run_cli("run", path, "--target", "churn", "--out", str(tmp_path / "o"), *extra)
    assert result.returncode == 2 and expected in result.stderr, result.stderr


def test_out_pointing_at_a_file_exits_2_before_any_work(run_cli, tmp_path):
    path = _write(tmp_path, "ok.csv", _table(60))
    blocker = _write(tmp_path, "taken", b"not a folder")
    result = run_cli("run", path, "--target", "churn", "--out", blocker)
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr
    assert "fitting" not in result.stderr


def test_unknown_check_code_exits_2_and_lists_the_codes(run_cli, tmp_path):
    path = _write(tmp_path, "ok.csv", _table(60))
    result = run_cli("run", path, "--target", "churn", "--skip-check", "nope")
    assert result.returncode == 2
    assert "unknown check code" in result.stderr and "leakage_single_feature" in result.stderr


def test_a_ctrl_c_that_python_swallows_still_stops_the_run_at_its_next_step(monkeypatch):
    """Python ignores an exception raised in a weakref callback (as in an import's module
    lock): the Ctrl-C is remembered and raised again at the next step of the run."""
    import gc
    import signal
    import weakref

    from dlcheck import cli

    monkeypatch.setattr(cli, "_stop_requested", False)
    progress = cli._JobProgress(quiet=True)
    progress("fitting", 1, 3)  # no stop asked: nothing happens

    class Thing:
        pass

    thing = Thing()
    keep = weakref.ref(thing, lambda _: cli._interrupt(signal.SIGINT, None))
    del thing
    gc.collect()  # the callback ran; its KeyboardInterrupt was printed and ignored
    assert keep() is None
    with pytest.raises(KeyboardInterrupt):
        progress("fitting", 2, 3)

"""Common tests over the registry of checks."""

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from dlcheck.checks import CHECK_CODES, CHECKS, NotApplicable, check_codes, run_checks
from dlcheck.checks.base import ANY_KIND, TABLES
from dlcheck.findings import Finding
from tests.checks.conftest import tune_and_check, with_jobs

SEVERITIES = {"info", "warning", "critical", "error"}


def test_codes_are_unique_and_titled():
    assert len(set(check_codes())) == len(CHECKS)
    assert all(c.title and c.code.islower() for c in CHECKS)


def test_the_command_line_list_of_codes_is_the_registry_in_its_order():
    # The CLI validates --skip-check against CHECK_CODES without importing the checks.
    assert list(CHECK_CODES) == check_codes()


def _table(task: str, n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(["x", "y", "z"], n),
                       "c": rng.lognormal(size=n)})
    signal = df["a"] + (df["b"] == "x")
    df["y"] = {"binary": (signal > 0.3).astype(int),
               "multiclass": np.digitize(signal, [0, 0.8]),
               "regression": signal + rng.normal(0, 0.3, n)}[task]
    return df


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.code)
def test_every_check_runs_on_every_task(make_context, check, task):
    context = with_jobs(make_context(_table(task), "y", task=task))
    try:  # the tuning check reads what the tuned-variants stage before the checks did
        findings = tune_and_check(context) if check.code == "tuning" else check.run(context)
    except NotApplicable:
        # Classes have no meaning for regression; the time-split gap needs --time-col.
        assert check.code == "leakage_time_split" or (
            task == "regression" and check.code in ("class_imbalance", "wrong_labels"))
        return
    for f in findings:
        assert isinstance(f, Finding) and f.check == check.code
        assert f.severity in SEVERITIES and f.summary and f.advice
        assert isinstance(f.evidence, dict) and f.evidence


def test_a_crashing_check_becomes_an_error_finding(make_context):
    class Broken:
        code = "broken"
        title = "Always fails"
        kinds = ANY_KIND

        def run(self, context):
            raise ZeroDivisionError("boom")

    findings = run_checks(make_context(_table("binary"), "y"), checks=[Broken(), *CHECKS])
    broken = [f for f in findings if f.check == "broken"]
    assert broken and broken[0].severity == "error" and "boom" in broken[0].summary
    assert len(findings) > 1  # the other checks still ran


def test_skipped_checks_do_not_run(make_context):
    context = make_context(_table("binary", 100), "y")
    assert any(f.check == "data_quantity" for f in run_checks(context))
    assert not any(f.check == "data_quantity"
                   for f in run_checks(context, skip=["data_quantity"]))


def test_checks_run_only_on_the_kinds_of_data_they_declare(make_context):
    class Counted:
        def __init__(self, code, kinds):
            self.code, self.title, self.kinds = code, code, kinds

        def run(self, context):
            return [Finding(self.code, "info", "ran", {"ran": True}, "none")]

    checks = [Counted("any", ANY_KIND), Counted("tables", TABLES),
              Counted("images", frozenset({"image"}))]
    context = make_context(_table("binary", 100), "y")
    assert [f.check for f in run_checks(context, checks=checks)] == ["any", "tables"]
    images = replace(context, dataset=SimpleNamespace(kind="image"))
    assert [f.check for f in run_checks(images, checks=checks)] == ["any", "images"]
    # Every check declares kinds that have a ladder (or any kind).
    from dlcheck.models.registry import LADDERS

    assert all(c.kinds and (c.kinds <= set(LADDERS) or c.kinds == ANY_KIND) for c in CHECKS)

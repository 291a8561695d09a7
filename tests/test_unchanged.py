"""Whole runs whose report must not change when the code is reorganised (see
tests/report_cases.py; the scenarios and the wine run are compared in their own tests)."""

import pytest

from tests.report_cases import assert_unchanged, run_smoke_example


@pytest.mark.slow
def test_diabetes_with_every_check_repeats_its_stored_report():
    a = run_smoke_example("diabetes_smoke")
    assert a.report["dataset"]["task"] == "regression"
    assert_unchanged("diabetes_smoke", a.report)

"""The whole runs whose report.json must not change when the code is reorganised: the
scenario tables (their verdict is known) and the real examples with every check.

`tests/fixtures/make_reports.py` writes each case's report, timings taken out, to
`tests/fixtures/reports/NAME.json`; the tests that run a case compare their report with it
(`assert_unchanged`). A change meant to alter figures regenerates the fixtures in its commit
and says why."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.helpers import (
    SCENARIO_BUDGET,
    SMOKE_BUDGET,
    VERDICT_CHECKS,
    all_checks_but,
    without_timings,
)

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
SCENARIO_SKIP = all_checks_but(*VERDICT_CHECKS)
"""Every check that can change the decision runs; the others are tested on their own."""


def _synthetic(generator: str, n: int, seed: int) -> Callable:
    def make():
        from dlcheck.data import synthetic

        return getattr(synthetic, generator)(n=n, seed=seed), {}

    return make


def _leaked():
    from dlcheck.data import synthetic

    df, target = synthetic.noise_table(n=1000, seed=6)
    df["refund_issued"] = (df[target] == "yes").astype(int)
    # A blocking leak decides before any score does (tests/test_verdict.py): tuning and the
    # permutation test, which cannot change that, are left out to keep the suite short.
    return (df, target), {"skip_checks": [*SCENARIO_SKIP, "tuning", "permutation_test"]}


SCENARIOS: dict[str, Callable] = {
    "noise": _synthetic("noise_table", n=1500, seed=1),
    "linear": _synthetic("linear_table", n=1000, seed=2),
    "rotated": _synthetic("rotated_smooth_table", n=1200, seed=3),
    "threshold": _synthetic("threshold_table", n=1200, seed=4),
    "leaked": _leaked,
}
"""Scenario name -> () -> ((table, target), options over the scenario defaults)."""

EXAMPLES: dict[str, list[str]] = {
    "wine": ["run", "--example", "wine", "--quiet"],
    "diabetes": ["run", "--example", "diabetes", "--quiet"],
}
"""Real example -> the command-line arguments of its run (quick, every check): the wine run
is compared in the suite (tests/test_cli.py); the diabetes run, a minute more, by
`make unchanged`, which compares every case."""

SMOKE_EXAMPLES: dict[str, str] = {"diabetes_smoke": "diabetes"}
"""Case -> example run with every check on the smoke budget: the regression side of every
check, compared in the suite at a fraction of the quick run's cost."""

CASES = [*SCENARIOS, *SMOKE_EXAMPLES, *EXAMPLES]


def run_scenario(name: str):
    """The Assessment of a scenario, as its test makes it."""
    from dlcheck import assess

    (df, target), options = SCENARIOS[name]()
    kwargs = {"budget": SCENARIO_BUDGET, "skip_checks": SCENARIO_SKIP, **options}
    return assess(df, target, **kwargs)


def run_smoke_example(name: str):
    """The Assessment of a smoke-budget example case, every check on."""
    from dlcheck import assess, load_example

    df, target = load_example(SMOKE_EXAMPLES[name])
    return assess(df, target, budget=SMOKE_BUDGET, data_name=SMOKE_EXAMPLES[name])


def run_case(name: str, out: Path) -> dict:
    """The report of any case (`out`: a folder for the command-line runs)."""
    if name in SCENARIOS:
        return run_scenario(name).report
    if name in SMOKE_EXAMPLES:
        return run_smoke_example(name).report
    if name in EXAMPLES:
        return run_example(name, out)
    raise KeyError(f"unknown case {name!r}: choose from {', '.join(CASES)}")


def run_example(name: str, out: Path, dlcheck: str | None = None) -> dict:
    """The report.json of an example run through the command line."""
    exe = dlcheck or str(Path(sys.executable).with_name("dlcheck"))
    result = subprocess.run([exe, *EXAMPLES[name], "--out", str(out)], capture_output=True,
                            text=True, timeout=600, env=os.environ.copy())
    assert result.returncode == 0, result.stderr
    return json.loads((out / "report.json").read_text())


def assert_unchanged(name: str, report: dict) -> None:
    """The report of case `name` equals its stored fixture, timings aside."""
    path = FIXTURES / f"{name}.json"
    expected = json.loads(path.read_text())
    actual = without_timings(report)
    if actual != expected:
        found = differences(expected, actual)
        shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
        raise AssertionError(f"report of {name!r} differs from {path.name} in {len(found)} "
                             f"place(s): {shown}; if the change is meant, regenerate with "
                             "tests/fixtures/make_reports.py")


def differences(a, b, where: str = "") -> list[str]:
    """Every place where two JSON values differ, as 'path: old -> new'."""
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                found.append(f"{where}/{key} (only in {'fixture' if key in a else 'this run'})")
            elif a[key] != b[key]:
                found += differences(a[key], b[key], f"{where}/{key}")
        return found
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where} (length {len(a)} -> {len(b)})"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y
                for d in differences(x, y, f"{where}[{i}]")]
    return [f"{where}: {a!r} -> {b!r}"]


def write_fixture(name: str, report: dict) -> Path:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    path = FIXTURES / f"{name}.json"
    path.write_text(json.dumps(without_timings(report), indent=1, sort_keys=True) + "\n")
    return path

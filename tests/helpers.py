"""Helpers shared by tests."""

import json
import re
import signal
import subprocess
from dataclasses import replace

from dlcheck._config import BUDGETS
from dlcheck.checks import check_codes


def all_checks_but(*codes: str) -> list[str]:
    """The --skip-check list that runs only `codes`: a test pays only for the checks it
    exercises (every check runs in the CLI's real-example test and in the registry tests)."""
    unknown = set(codes) - set(check_codes())
    assert not unknown, unknown
    return [c for c in check_codes() if c not in codes]


VERDICT_CHECKS = ("tuning", "data_quantity", "class_imbalance", "leakage_single_feature",
                  "leakage_duplicates", "leakage_id_columns", "leakage_time_split",
                  "permutation_test")
"""The checks a verdict's decision depends on (tuned scores, blocking leakage, the permutation
test); the others add findings, the outlook or --explain-required figures."""


SMOKE_BUDGET = replace(
    BUDGETS["quick"], name="smoke", n_folds=3, max_epochs=5, deep_row_passes=5_000,
    deep_seconds_per_fit=20.0, patience=2, forest_trees=20, tabm_k=2, deep_width=32,
    n_permutations=3, permutation_work=5.0, tuning_trials=2, tuning_rows=500,
    tuning_max_epochs=5)
"""A whole assessment in seconds, for tests of robustness (bad input, resuming, determinism)
rather than of depth. Nothing is bounded by the clock, so figures repeat."""


SCENARIO_BUDGET = replace(
    BUDGETS["quick"], name="scenario", tuning_trials=3, tuning_rows=500, tuning_max_epochs=10,
    tabm_k=4, deep_width=64, n_permutations=39, permutation_work=5.0)
"""The quick budget with a lighter search, a 4-head TabM and a smaller permutation test, for
whole assessments whose verdict is known: every rule that decides runs as in quick (the
sequential test of the best model, here with at most 39 shuffles, smallest p 0.025; networks
trained until early stopping; the same trials for both sides), in about a minute a table."""


_TIMING_WORDS = re.compile(
    r"\d[\d,.]*x (?:the fit time|its prediction latency)|\d[\d,.]*(?: s| ms|s)\b")


def without_timings(report: dict) -> dict:
    """A report with what the clock measured taken out (fit and prediction times, stage
    timings, search seconds, the costs' Pareto fronts, times quoted in sentences), for
    comparing two runs: everything else must repeat exactly."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()
                    if k not in ("timings", "environment") and "seconds" not in k
                    and "_ms_" not in k}
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, str):
            return _TIMING_WORDS.sub("<time>", value)
        return value

    return strip(json.loads(json.dumps(report)))


def popen_as_a_terminal_would(args: list[str], **kwargs) -> subprocess.Popen:
    """Start a command as a terminal does: in a process group of its own, with SIGINT not
    ignored. A test session started in the background (`make test &` in a script) ignores
    SIGINT, and a child inherits an ignored signal: Ctrl-C would then do nothing."""
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:  # a handler, unlike SIG_IGN, is reset to the default in the child
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(args, start_new_session=True, **kwargs)
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def bench_data(X, y, *, numeric, categorical=(), **kwargs):
    """BenchmarkData for a DataFrame whose columns the test names as numeric or categorical."""
    from dlcheck.benchmark.fitting import BenchmarkData
    from dlcheck.data.tabular import TableFeatures, TableInputs

    inputs = TableInputs(X, TableFeatures(list(numeric), list(categorical)))
    return BenchmarkData(inputs=inputs, y=y, **kwargs)

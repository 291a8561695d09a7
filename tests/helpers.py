"""Helpers shared by tests."""

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

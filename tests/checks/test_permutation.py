from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from dlcheck.checks import NotApplicable
from dlcheck.checks.permutation import PermutationTest
from tests.checks.conftest import with_jobs


def _noise(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(n, 4)), columns=list("abcd"))
    df["y"] = rng.integers(0, 2, n)
    return df


def test_a_score_no_shuffle_reaches_is_significant(make_context):
    context = with_jobs(make_context(_noise(), "y", best_score=0.95))
    [finding] = PermutationTest().run(context)
    assert finding.severity == "info"
    assert finding.evidence["p_value"] == pytest.approx(1 / 21)
    assert finding.evidence["n_permutations"] == 20
    assert 0.4 < finding.evidence["permuted_mean"] < 0.6


def test_a_score_shuffles_reach_is_not(make_context):
    context = with_jobs(make_context(_noise(), "y", best_score=0.45))
    [finding] = PermutationTest().run(context)
    assert finding.severity == "warning" and finding.evidence["p_value"] >= 0.05


def test_needs_an_executor(make_context):
    with pytest.raises(NotApplicable):
        PermutationTest().run(make_context(_noise(), "y"))


def test_on_folds_too_large_for_the_budget_every_refit_uses_the_same_subsample(make_context):
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(300, 4)), columns=list("abcd"))
    df["y"] = (df["a"] + 0.3 * rng.normal(size=300) > 0).astype(int)
    context = make_context(df, "y", best_score=0.3)  # a stand-in score the refits must replace
    tight = replace(context.budget, max_rows_slow=100, permutation_cpu_seconds=0.0)
    context = with_jobs(replace(context, budget=tight))
    [finding] = PermutationTest().run(context)
    evidence = finding.evidence
    assert evidence["train_rows"] == 100 and "100 rows of each fold" in evidence["why_this_model"]
    assert evidence["score"] > 0.8  # the real labels, refitted on the same 100 rows
    assert evidence["p_value"] == pytest.approx(1 / 21) and finding.severity == "info"
    assert "refitted on 100 rows of each training fold" in finding.summary

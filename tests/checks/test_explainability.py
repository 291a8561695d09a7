import dataclasses
import json
import re

import numpy as np
import pandas as pd
import pytest

from dlcheck.checks import NotApplicable
from dlcheck.checks.explainability import Explainability
from dlcheck.data.synthetic import rotated_smooth_table, threshold_table
from tests.checks.conftest import with_jobs


def _shallow(task: str, n: int = 1200, seed: int = 0) -> pd.DataFrame:
    """A target that is a depth-2 function of x0 and the category of 'shop', among noise
    columns; x3 has missing values."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 4)), columns=["x0", "x1", "x2", "x3"])
    df["shop"] = rng.choice(["north", "south", "east", "west"], n)
    df.loc[rng.random(n) < 0.1, "x3"] = np.nan
    df.loc[rng.random(n) < 0.05, "shop"] = None
    high, east = df["x0"] > 0.3, df["shop"] == "east"
    df["y"] = {"binary": np.where(high & ~east, "yes", "no"),
               "multiclass": np.where(~high, "low", np.where(east, "east", "high")),
               "regression": 3.0 * high + 2.0 * east + rng.normal(0, 0.05, n)}[task]
    return df


def _category_conditions_nest(rules: str, column: str) -> bool:
    """Each condition on a categorical column names only categories its enclosing conditions
    allow: the rules say which rows reach each leaf."""
    enclosing: dict[int, set[str]] = {}
    for line in rules.splitlines():
        depth = (len(line) - len(line.lstrip())) // 2
        enclosing = {d: v for d, v in enclosing.items() if d < depth}
        match = re.search(rf"{column} in \{{([^}}]*)\}}", line)
        if match:
            values = set(match.group(1).split(", "))
            if any(not values <= outer for outer in enclosing.values()):
                return False
            enclosing[depth] = values
    return True


def _add_model(context, name: str, family: str, score: float):
    """A stand-in result for another ladder model: the check refits it for real."""
    base = context.results.models[0]
    context.results.models.append(dataclasses.replace(
        base, name=name, family=family, mean=score, fold_scores=[score] * len(base.fold_ids)))
    return context


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_a_shallow_function_has_a_faithful_surrogate_that_names_its_rules(make_context, task):
    context = with_jobs(make_context(_shallow(task), "y", task=task))
    [finding] = Explainability().run(context)
    json.dumps(finding.evidence, allow_nan=False)
    e = finding.evidence["models"]["lightgbm"]
    assert e["fidelity"] >= 0.9 and e["faithful"]
    assert set(e["top_columns"][:2]) == {"x0", "shop"}
    assert e["roles"] == ["best classical", "best ensemble"]
    rules = e["surrogate_rules"]
    assert "x0 <=" in rules and "shop in {" in rules and "east" in rules
    assert _category_conditions_nest(rules, "shop")
    if task != "regression":
        assert "-> yes" in rules or "-> high" in rules  # leaves speak the user's labels
    assert "lightgbm can be explained through its surrogate" in finding.summary


def test_an_oblique_smooth_function_is_not_faithful_to_a_shallow_tree(make_context):
    df, target = rotated_smooth_table(1200)
    context = with_jobs(make_context(df, target))
    [finding] = Explainability().run(context)
    e = finding.evidence["models"]["lightgbm"]
    assert finding.evidence["fidelity_measure"] == "r2"
    assert e["fidelity"] < 0.6 and not e["faithful"]
    assert "lightgbm cannot be explained" in finding.summary


def test_importance_ranks_informative_columns_above_noise(make_context):
    df, target = threshold_table(1200, n_irrelevant=10)  # f0..f4 informative, f5.. noise
    context = with_jobs(make_context(df, target))
    [finding] = Explainability().run(context)
    importance = finding.evidence["models"]["lightgbm"]["importance"]
    informative = [importance[f"f{i}"] for i in range(5)]
    noise = [importance[f"f{i}"] for i in range(5, 15)]
    assert min(informative) > max(noise)
    assert importance["f4"] == max(informative)  # the 1.5-weight threshold
    assert "roc_auc" in finding.summary and "f4 " in finding.summary


def test_best_classical_and_best_deep_side_by_side(make_context):
    context = with_jobs(_add_model(make_context(_shallow("binary", 600), "y"), "mlp", "deep",
                                   0.79))
    [finding] = Explainability(n_folds=1).run(context)
    models = finding.evidence["models"]
    assert set(models) == {"lightgbm", "mlp"} and models["mlp"]["roles"] == ["best deep"]
    assert "x0" in models["mlp"]["top_columns"][:2]
    agreement = finding.evidence["agreement"]
    assert agreement["top_overlap"] >= 2 and agreement["spearman"] > 0.5
    assert "lightgbm and mlp share" in finding.summary


def test_the_best_ensemble_is_explained_when_a_simpler_model_is_the_best_classical(make_context):
    context = _add_model(make_context(_shallow("binary", 400), "y"), "linear", "linear", 0.9)
    [finding] = Explainability(n_folds=1).run(with_jobs(context))
    roles = {name: e["roles"] for name, e in finding.evidence["models"].items()}
    assert roles == {"linear": ["best classical"], "lightgbm": ["best ensemble"]}


def _figures(fidelity: float, constant: float) -> dict:
    return {"fidelity": fidelity, "fidelity_measure": "agreement",
            "constant_agreement": constant, "surrogate_score": 0.7, "model_score": 0.8,
            "importance": {"a": 0.1}, "importance_std": {"a": 0.01},
            "surrogate_tree": [{"depth": 0, "share": 1.0, "class": 0}]}


@pytest.mark.parametrize(("fidelity", "constant", "faithful"), [
    (0.95, 0.5, True),    # well above the threshold and the constant guess
    (0.85, 0.5, False),   # below the threshold
    (0.96, 0.95, False),  # a model that nearly always predicts the majority
    (0.99, 0.95, True),   # ... whose rare other predictions the surrogate also catches
    (1.0, 1.0, True),     # a constant model is explained by a constant tree
])
def test_faithful_needs_the_threshold_and_skill_over_a_constant_guess(fidelity, constant,
                                                                      faithful):
    e = Explainability()._summarize("ensemble", ["best classical"],
                                    [_figures(fidelity, constant)], ["no", "yes"])
    assert e["faithful"] is faithful
    assert e["surrogate_rules"] == "-> no (100% of rows)"


def test_needs_an_executor(make_context):
    with pytest.raises(NotApplicable):
        Explainability().run(make_context(_shallow("binary", 200), "y"))

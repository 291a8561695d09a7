"""Black boxes: what a fitted model relies on, and whether a tree a person can read mimics it.

Two measurements on one fitted fold:

- permutation importance per column of the user's table: how much the primary metric worsens
  when that column is shuffled on the test rows (scikit-learn's `permutation_importance` on the
  whole pipeline, so a categorical column counts once, not once per code; computed here with
  its very shuffles, but many shuffled copies per prediction and, where the preprocessing is
  column by column, on the preprocessed matrix: the same figures, columns times faster);
- a surrogate: a decision tree of depth 3 fitted on the training rows to reproduce the model's
  own predictions (its predicted class, or its predicted value), and its fidelity on the test
  rows: the share of rows where it predicts the model's class, or the R² of the model's
  predictions that it reproduces.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.metrics import accuracy_score, r2_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OrdinalEncoder,
    QuantileTransformer,
    StandardScaler,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from dlcheck.benchmark.fitting import FittedFold
from dlcheck.benchmark.scoring import METRICS, PRIMARY_METRIC, score_predictions
from dlcheck.benchmark.stats import goodness_sign
from dlcheck.models.tabular.preprocessing import make_preprocessor

N_REPEATS = 5
"""Shuffles of each column; the importance is their mean, with their standard deviation."""
MAX_SHUFFLES = 100
"""Column shuffles in all (each one a prediction of the rows): wide tables get fewer repeats,
at least one, so the cost stays near that of 20 columns x 5 repeats."""
MAX_IMPORTANCE_ROWS = 1000
"""Test rows the columns are shuffled on (a seeded subsample): the cost is columns x repeats
predictions of this many rows."""
STACKED_CELLS = 4_000_000
"""Cells (rows x columns) of shuffled copies predicted in one call: bounds the memory of the
stacked predictions (tens of MB) while keeping the calls few."""
MAX_SURROGATE_ROWS = 5000
"""Training rows the surrogate learns from, and test rows its fidelity is measured on."""
SURROGATE_DEPTH = 3
"""Eight leaves at most: a tree a person reads in a minute."""
MAX_LISTED_CATEGORIES = 6


def explain(fitted: FittedFold) -> dict[str, Any]:
    """Permutation importance per column and the fidelity of a depth-3 surrogate tree."""
    rng = np.random.default_rng([fitted.data.seed, zlib.crc32(fitted.fold_id.encode())])
    return {"fold": fitted.fold_id, **_importance(fitted, rng), **_surrogate(fitted, rng)}


def _subsample(n: int, limit: int, rng: np.random.Generator) -> np.ndarray:
    return np.arange(n) if n <= limit else np.sort(rng.choice(n, limit, replace=False))


def _importance(fitted: FittedFold, rng: np.random.Generator) -> dict[str, Any]:
    data = fitted.data
    metric = METRICS[PRIMARY_METRIC[data.task]]
    rows = _subsample(len(fitted.X_test), MAX_IMPORTANCE_ROWS, rng)
    X, y = fitted.X_test.iloc[rows], fitted.y_test[rows]
    columns = list(X.columns)
    if data.task != "regression" and len(np.unique(y)) < 2:
        return {"metric": metric.name, "importance": None, "importance_std": None,
                "importance_note": "the test rows hold a single class: no score to degrade"}
    sign = goodness_sign(metric.greater_is_better)

    def score(output: np.ndarray) -> float:  # the primary metric, signed: greater is better
        return sign * metric.fn(y, output, data.n_classes)

    repeats = max(1, min(N_REPEATS, MAX_SHUFFLES // len(columns)))
    seed = int(rng.integers(2**31 - 1))
    groups = columnwise_outputs(fitted.pipeline, columns)
    if groups is None:  # shuffle the table's columns and predict through the whole pipeline
        mean, std = permutation_importance_stacked(fitted.predict, X, score, repeats, seed)
    else:  # shuffle the preprocessed columns: the same figures without re-preprocessing
        from dlcheck.benchmark.fitting import predict_output

        model = Pipeline([("model", fitted.pipeline[-1])])
        Z = np.asarray(fitted.pipeline[:-1].transform(X))
        mean, std = permutation_importance_stacked(
            lambda Z_: predict_output(model, Z_, data), Z, score, repeats, seed, groups)
    return {"metric": metric.name, "importance_rows": len(rows), "importance_repeats": repeats,
            "importance": dict(zip(columns, map(float, mean), strict=True)),
            "importance_std": dict(zip(columns, map(float, std), strict=True))}


COLUMNWISE = (SimpleImputer, MissingIndicator, QuantileTransformer, StandardScaler,
              OrdinalEncoder)
"""Preprocessing steps whose every output column is computed from one input column, row by
row: shuffling an input column's rows shuffles its output columns' rows the same way."""


def columnwise_outputs(pipeline: Pipeline, columns: list) -> list[np.ndarray] | None:
    """For each column of the table, the columns of the preprocessed matrix made from it alone
    (empty when the preprocessing dropped it), or None when the preprocessing is not known to
    be column-wise (one-hot encoding, whose columns' names are ambiguous, or any other)."""
    if len(pipeline) != 2 or not isinstance(pipeline[0], ColumnTransformer):
        return None
    transformer = pipeline[0]
    for _, step, _ in transformer.transformers_:
        steps = [s for _, s in step.steps] if isinstance(step, Pipeline) else [step]
        if not all(_columnwise(s) for s in steps):
            return None
    try:
        names = [str(n) for n in transformer.get_feature_names_out()]
    except ValueError:  # e.g. two output columns with one name
        return None
    position = {str(c): i for i, c in enumerate(columns)}
    if len(position) != len(columns):
        return None
    source = []
    for name in names:
        base = name.removeprefix("missingindicator_")
        if name in position:
            source.append(position[name])
        elif base in position:
            source.append(position[base])
        else:
            return None
    source_array = np.asarray(source, dtype=int)
    return [np.flatnonzero(source_array == i) for i in range(len(columns))]


def _columnwise(step: Any) -> bool:
    if isinstance(step, str):
        return step in ("passthrough", "drop")
    if isinstance(step, FunctionTransformer):  # how a fitted ColumnTransformer passes through
        return step.func is None
    return isinstance(step, COLUMNWISE)


def permutation_importance_stacked(
    predict: Callable[[Any], np.ndarray], X: pd.DataFrame | np.ndarray,
    score: Callable[[np.ndarray], float], n_repeats: int, random_state: int,
    groups: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's `permutation_importance`, with its very shuffles for the same
    random_state and so its figures, but with the shuffled copies stacked into a few large
    predictions instead of one per column and repeat. One by one, every prediction through a
    pipeline paid a fixed cost per column (the quantile transform loops over columns): columns
    squared, 5 minutes a model on a 1,000-column table. X is the table (each column shuffled
    in turn), or a preprocessed array whose `groups` of columns (one group per column of the
    table) are shuffled together. Returns the mean and standard deviation of the drop of
    `score` per column."""
    n = len(X)
    n_columns = X.shape[1] if groups is None else len(groups)
    seed = np.random.RandomState(random_state).randint(np.iinfo(np.int32).max + 1)
    shuffler, step, order = np.random.RandomState(seed), np.arange(n), np.arange(n)
    orders = []  # the row order of a shuffled column after each repeat (they compound)
    for _ in range(n_repeats):
        shuffler.shuffle(step)
        order = order[step]
        orders.append(order)
    baseline = score(predict(X))
    drops = np.zeros((n_columns, n_repeats))  # a column the model never sees: exactly 0
    tasks = [(c, r) for c in range(n_columns) for r in range(n_repeats)
             if groups is None or len(groups[c])]
    per_call = max(1, STACKED_CELLS // max(1, n * X.shape[1]))
    for begin in range(0, len(tasks), per_call):
        chunk = tasks[begin:begin + per_call]
        if groups is None:
            base = np.tile(np.arange(n), len(chunk))
            index: dict[int, np.ndarray] = {}
            for block, (c, r) in enumerate(chunk):
                index.setdefault(c, base.copy())[block * n:(block + 1) * n] = orders[r]
            stacked = pd.DataFrame({
                name: X[name].take(index.get(c, base)).reset_index(drop=True)
                for c, name in enumerate(X.columns)})
        else:
            stacked = np.tile(X, (len(chunk), 1))
            for block, (c, r) in enumerate(chunk):
                stacked[block * n:(block + 1) * n, groups[c]] = X[np.ix_(orders[r], groups[c])]
        output = predict(stacked)
        for block, (c, r) in enumerate(chunk):
            drops[c, r] = baseline - score(output[block * n:(block + 1) * n])
    return drops.mean(axis=1), drops.std(axis=1)


def _surrogate(fitted: FittedFold, rng: np.random.Generator) -> dict[str, Any]:
    data = fitted.data
    classification = data.task != "regression"
    train = _subsample(len(fitted.X_train), MAX_SURROGATE_ROWS, rng)
    test = _subsample(len(fitted.X_test), MAX_SURROGATE_ROWS, rng)
    X_train, X_test = fitted.X_train.iloc[train], fitted.X_test.iloc[test]
    y_test = fitted.y_test[test]
    output_train, output_test = fitted.predict(X_train), fitted.predict(X_test)
    tree_cls = DecisionTreeClassifier if classification else DecisionTreeRegressor
    columns = data.inputs.features
    surrogate = Pipeline([
        ("prep", make_preprocessor("tree", columns.numeric, columns.categorical)),
        ("tree", tree_cls(max_depth=SURROGATE_DEPTH, random_state=data.seed)),
    ])
    if classification:
        mimic_train, mimic_test = output_train.argmax(axis=1), output_test.argmax(axis=1)
        surrogate.fit(X_train, mimic_train)
        fidelity = accuracy_score(mimic_test, surrogate.predict(X_test))
        constant = float(np.bincount(mimic_test).max() / len(mimic_test))
        proba = np.zeros((len(X_test), data.n_classes))
        proba[:, surrogate.classes_.astype(int)] = surrogate.predict_proba(X_test)
        surrogate_output = proba
    else:
        mimic_train, mimic_test = output_train, output_test
        surrogate.fit(X_train, mimic_train)
        surrogate_output = surrogate.predict(X_test)
        # R² against the model's own predictions; a constant model is reproduced exactly.
        fidelity = r2_score(mimic_test, surrogate_output) if np.ptp(mimic_test) > 0 else 1.0
        constant = None
    metric = PRIMARY_METRIC[data.task]
    return {
        "fidelity": float(fidelity),
        "fidelity_measure": "agreement" if classification else "r2",
        "constant_agreement": constant,
        "fidelity_rows": len(test),
        "surrogate_score": score_predictions(data.task, y_test, surrogate_output,
                                             data.n_classes)[metric],
        "model_score": score_predictions(data.task, y_test, output_test, data.n_classes)[metric],
        "surrogate_tree": _tree_nodes(surrogate, X_train, columns.categorical),
    }


def _tree_nodes(surrogate: Pipeline, X_train: pd.DataFrame, categorical: list[str]) \
        -> list[dict[str, Any]]:
    """The fitted tree in reading order: a condition line per branch and a line per leaf.

    A branch is {"depth", "if"} (its 'else' follows after the left subtree, {"depth",
    "else"}); a leaf is {"depth", "class"} (an encoded label) or {"depth", "value"}, with the
    share of training rows that reach it. Categorical splits name their categories."""
    prep, tree = surrogate.named_steps["prep"], surrogate.named_steps["tree"]
    names = list(prep.get_feature_names_out())
    categories: dict[str, list[str]] = {}
    if categorical:
        encoder = prep.named_transformers_["cat"][-1]
        for column, cats in zip(categorical, encoder.categories_, strict=True):
            categories[column] = ["missing" if c == "__missing__" else str(c) for c in cats]
    with_missing = {c for c in X_train.columns if X_train[c].isna().any()}
    t = tree.tree_
    total = t.weighted_n_node_samples[0]
    nodes: list[dict[str, Any]] = []

    def walk(node: int, depth: int, possible: dict[str, list[int]]) -> None:
        """`possible`: per categorical column, the codes the path to this node allows."""
        left, right = t.children_left[node], t.children_right[node]
        if left == -1:
            value = t.value[node][0]
            leaf: dict[str, Any] = {"depth": depth,
                                    "share": round(float(t.weighted_n_node_samples[node]
                                                         / total), 4)}
            if isinstance(tree, DecisionTreeClassifier):
                leaf["class"] = int(tree.classes_[int(np.argmax(value))])
            else:
                leaf["value"] = round(float(value[0]), 4)
            nodes.append(leaf)
            return
        name, threshold = names[t.feature[node]], float(t.threshold[node])
        possible_left, possible_right = possible, possible
        if name in categories:
            codes = possible[name]
            low, high = [c for c in codes if c <= threshold], [c for c in codes if c > threshold]
            possible_left, possible_right = {**possible, name: low}, {**possible, name: high}
            condition = f"{name} in {_listed([categories[name][c] for c in low])}"
            otherwise = f"{name} in {_listed([categories[name][c] for c in high])}"
        else:
            condition, otherwise = f"{name} <= {threshold:.4g}", f"{name} > {threshold:.4g}"
            if name in with_missing:
                if t.missing_go_to_left[node]:
                    condition += " or missing"
                else:
                    otherwise += " or missing"
        nodes.append({"depth": depth, "if": condition})
        walk(left, depth + 1, possible_left)
        nodes.append({"depth": depth, "else": otherwise})
        walk(right, depth + 1, possible_right)

    walk(0, 0, {c: list(range(len(cats))) for c, cats in categories.items()})
    return nodes


def _listed(values: list[str]) -> str:
    shown = values[:MAX_LISTED_CATEGORIES]
    more = f", ... ({len(values) - len(shown)} more)" if len(values) > len(shown) else ""
    return "{" + ", ".join(shown) + more + "}"

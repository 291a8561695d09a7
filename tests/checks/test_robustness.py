import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from dlcheck.checks import NotApplicable
from dlcheck.checks.robustness import Robustness
from dlcheck.models.tabular.deep import DeepTabularClassifier, DeepTabularRegressor
from tests.checks.conftest import with_jobs
from tests.helpers import bench_data

FAMILIES = {"dummy": "baseline", "linear": "linear", "shallow_tree": "tree",
            "lightgbm": "ensemble", "mlp": "deep", "tabm": "deep"}


def _context(make_context, df, target, models, task="auto"):
    """A context whose benchmark holds these ladder models (the dummy at its real score), able
    to refit them."""
    context = make_context(df, target, task=task)
    results = context.results
    template = results.models[0]
    y = context.dataset.y
    dummy = 0.5 if results.task != "regression" else float(np.std(y))
    good = 0.9 if results.task != "regression" else 0.5 * float(np.std(y))
    results.models = [dataclasses.replace(
        template, name=name, family=FAMILIES[name], mean=dummy if name == "dummy" else good - k
        * 0.01, fold_scores=[dummy] * len(template.fold_ids) if name == "dummy"
        else template.fold_scores)
        for k, name in enumerate(["dummy", *models])]
    return with_jobs(context)


def _by_topic(findings):
    topics = {}
    for f in findings:
        key = ("noise" if "levels" in f.evidence else "adversarial" if "eps_max" in f.evidence
               else "off_data")
        topics[key] = f
    return topics


def _mixed(task: str, n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(["x", "y", "z"], n),
                       "c": rng.lognormal(size=n), "d": rng.integers(0, 5, n)})
    df.loc[::11, "c"] = np.nan
    signal = df["a"] + (df["b"] == "x") + 0.3 * df["d"]
    df["y"] = {"binary": (signal > 0.8).astype(int),
               "multiclass": np.digitize(signal, [0.3, 1.3]),
               "regression": signal + rng.normal(0, 0.3, n)}[task]
    return df


def _separable(n: int = 600, noise_labels: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    df = pd.DataFrame(rng.normal(size=(n, 5)), columns=list("abcde"))
    df["y"] = (df["a"] + df["b"] - df["c"] > 0).astype(int)
    if noise_labels:
        df["y"] = rng.integers(0, 2, n)
    return df


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_every_task_gets_noise_off_data_and_adversarial_figures(make_context, task):
    context = _context(make_context, _mixed(task), "y", ["linear", "mlp"], task=task)
    findings = Robustness().run(context)
    topics = _by_topic(findings)
    assert set(topics) == {"noise", "off_data", "adversarial"}
    for f in findings:
        assert f.check == "robustness" and f.summary and f.advice
        json.dumps(f.evidence, allow_nan=False)
    noise = topics["noise"].evidence
    assert set(noise["models"]) == {"linear", "mlp"}
    assert all(len(m["noisy"]) == 3 for m in noise["models"].values())
    off = topics["off_data"].evidence["models"]
    if task == "regression":
        assert 0 <= off["linear"]["random_share_outside"] <= 1
    else:
        chance = 1 / (2 if task == "binary" else 3)
        assert all(chance - 1e-9 <= m["random"] <= 1 for m in off.values())
    adversarial = topics["adversarial"].evidence
    assert adversarial["model"] == "mlp" and set(adversarial["models"]) == {"mlp"}


def test_a_model_confident_on_noise_is_flagged(make_context):
    # Logistic regression on separable classes: its logit grows without bound off the data.
    context = _context(make_context, _separable(), "y", ["linear"])
    finding = _by_topic(Robustness().run(context))["off_data"]
    assert finding.severity == "warning"
    assert finding.evidence["confident_on_noise"] == ["linear"]
    assert finding.evidence["models"]["linear"]["random"] >= 0.9
    assert "linear" in finding.summary


def test_models_unsure_on_noise_are_not_flagged(make_context):
    # No signal: neither a linear model nor a shallow tree has reason to be sure of anything.
    context = _context(make_context, _separable(noise_labels=True), "y",
                       ["linear", "shallow_tree"])
    finding = _by_topic(Robustness().run(context))["off_data"]
    assert finding.severity == "info" and finding.evidence["confident_on_noise"] == []
    assert all(m["random"] < 0.9 for m in finding.evidence["models"].values())


def test_a_regression_model_predicting_beyond_its_targets_on_noise_is_flagged(make_context):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(600, 4)), columns=list("abcd"))
    df["y"] = df["a"] - 0.5 * df["b"] + 0.7 * df["c"] + rng.normal(0, 0.1, 600)
    context = _context(make_context, df, "y", ["linear", "shallow_tree"], task="regression")
    # A linear model extrapolates off the data; a tree predicts means of its training rows.
    finding = _by_topic(Robustness(outside_target_range=0.1).run(context))["off_data"]
    models = finding.evidence["models"]
    assert models["linear"]["random_share_outside"] > 0.1
    assert models["shallow_tree"]["random_share_outside"] == 0
    assert finding.severity == "warning" and finding.evidence["outside_target_range"] == [
        "linear"]
    finding = _by_topic(Robustness(outside_target_range=0.9).run(context))["off_data"]
    assert finding.severity == "info" and finding.evidence["outside_target_range"] == []


def test_more_noise_costs_a_strong_model_more(make_context):
    context = _context(make_context, _separable(), "y", ["lightgbm"])
    noise = _by_topic(Robustness().run(context))["noise"]
    figures = noise.evidence["models"]["lightgbm"]
    assert figures["clean"] > 0.95
    assert 0 <= figures["loss"][0] < figures["loss"][1] < figures["loss"][2]
    assert figures["edge_kept"][0] > figures["edge_kept"][1] > figures["edge_kept"][2]
    assert noise.evidence["best_model"] == "lightgbm"


def test_a_model_that_needs_exact_values_is_fragile_under_noise(make_context):
    # The class flips every 0.1 of `a` (std 0.29): noise of 0.1 std blurs the stripes.
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.uniform(size=(1000, 3)), columns=list("abc"))
    df["y"] = (np.floor(df["a"] * 10) % 2).astype(int)
    noise = _by_topic(Robustness().run(_context(make_context, df, "y", ["lightgbm"])))["noise"]
    figures = noise.evidence["models"]["lightgbm"]
    assert figures["clean"] > 0.95 and figures["edge_kept"][0] < 0.75
    assert noise.severity == "warning" and "already costs lightgbm" in noise.summary


def test_a_smooth_signal_is_robust_to_small_noise(make_context):
    noise = _by_topic(Robustness().run(_context(make_context, _separable(), "y",
                                                ["linear"])))["noise"]
    assert noise.evidence["models"]["linear"]["edge_kept"][0] > 0.9
    assert noise.severity == "info"


def test_fgsm_flips_predictions_with_smaller_perturbations_than_random_noise(make_context):
    context = _context(make_context, _separable(800), "y", ["mlp"])
    finding = _by_topic(Robustness().run(context))["adversarial"]
    figures = finding.evidence["models"]["mlp"]
    assert figures["fgsm_eps"] is not None and figures["fgsm_flip_share"] >= 0.1
    assert figures["random_eps"] is None or figures["random_eps"] > 2 * figures["fgsm_eps"]
    assert figures["random_flip_share_at_fgsm_eps"] < 0.1
    assert figures["universal_eps"] is not None and figures["universal_eps"] >= figures[
        "fgsm_eps"]
    assert figures["random_universal_flip_share_at_universal_eps"] < 0.1
    assert "FGSM flips 10%" in finding.summary


def test_does_not_apply_without_numeric_features(make_context):
    # Random combinations of seen categories are not rows from outside the data.
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.choice(list("pqrs"), 300), "b": rng.choice(list("xyz"), 300)})
    df["y"] = ((df["a"] == "p") | (df["b"] == "x")).astype(int)
    with pytest.raises(NotApplicable):
        Robustness().run(_context(make_context, df, "y", ["linear"]))


def test_needs_an_executor(make_context):
    with pytest.raises(NotApplicable):
        Robustness().run(make_context(_separable(), "y"))


@pytest.mark.parametrize("cls", [DeepTabularClassifier, DeepTabularRegressor])
def test_input_gradient_points_where_the_loss_grows(cls):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=(300, 3)), rng.integers(0, 3, 300)])
    y = X[:, 0] - X[:, 1] + (X[:, 3] == 1)
    if cls is DeepTabularClassifier:
        y = (y > 0).astype(int)
    model = cls(n_cat_features=1, max_epochs=20, width=32, device="cpu").fit(X, y)
    gradient = model.input_gradient(X, y)
    assert gradient.shape == X.shape and np.all(gradient[:, 3] == 0)

    def losses(Z):  # per row, as the estimator defines them
        if cls is DeepTabularClassifier:
            return -np.log(model.predict_proba(Z)[np.arange(len(y)), y])
        return ((model.predict(Z) - y) / model.y_std_) ** 2

    # Directional derivatives along random directions: central differences agree.
    direction = np.column_stack([rng.normal(size=(300, 3)), np.zeros(300)])
    h = 1e-2
    numeric = (losses(X + h * direction) - losses(X - h * direction)) / (2 * h)
    analytic = (gradient * direction).sum(axis=1)
    assert np.corrcoef(numeric, analytic)[0, 1] > 0.99
    np.testing.assert_allclose(np.linalg.norm(analytic), np.linalg.norm(numeric), rtol=0.05)


def test_a_wide_table_is_probed_quickly_and_the_embedding_bound_is_stated(make_context):
    # 600 numeric columns: the networks take the quantile-normalised values without the
    # periodic embeddings (600 x 16 inputs would exceed the 2,048 bound), and the finding says so.
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(150, 600)), columns=[f"x{i}" for i in range(600)])
    df["y"] = (df["x0"] - df["x1"] + rng.normal(0, 0.5, 150) > 0).astype(int)
    finding = _by_topic(Robustness().run(_context(make_context, df, "y", ["mlp"])))[
        "adversarial"]
    note = finding.evidence["numeric_embeddings"]["mlp"]
    assert note.startswith("no numeric embeddings (600 numeric inputs")
    assert finding.evidence["models"]["mlp"]["numeric_embedding_bounded"] is True
    assert "On this wide table mlp has no numeric embeddings" in finding.summary


def test_an_ordinary_table_keeps_its_embeddings_and_says_nothing(make_context):
    finding = _by_topic(Robustness().run(_context(make_context, _separable(300), "y",
                                                  ["mlp"])))["adversarial"]
    assert finding.evidence["numeric_embeddings"] == {
        "mlp": "periodic embeddings of 16 values per numeric input"}
    assert "wide table" not in finding.summary


def test_stacked_predictions_equal_one_call_per_frame(monkeypatch):
    from dlcheck._config import BUDGETS
    from dlcheck.benchmark.fitting import FittedFold
    from dlcheck.data.tabular.prepare import prepare
    from dlcheck.models.registry import get_model
    from dlcheck.probes import robustness as probe

    prepared = prepare(_mixed("multiclass"), "y")
    data = bench_data(X=prepared.X, y=prepared.y, task=prepared.task, n_classes=3,
                         numeric=prepared.numeric_columns,
                         categorical=prepared.categorical_columns, budget=BUDGETS["quick"],
                         seed=0, device="cpu")
    X = prepared.X
    pipeline = get_model("lightgbm").build(data.context()).fit(X.iloc[:300], prepared.y[:300])
    fitted = FittedFold(pipeline, X.iloc[:300], prepared.y[:300], X.iloc[300:],
                        prepared.y[300:], data, "f")
    rng = np.random.default_rng(0)
    columns = prepared.numeric_columns, prepared.categorical_columns
    frames = [X.iloc[300:], *probe.noisy_copies(fitted, X.iloc[300:], rng),
              probe.random_rows(X.iloc[:300], *columns, 50, rng),
              probe.blank_rows(X.iloc[:300], *columns)]
    calls = []
    monkeypatch.setattr(FittedFold, "predict", lambda self, X_: calls.append(len(X_)) or
                        fitted.pipeline.predict_proba(X_))
    # 100 test rows, 3 x 100 noisy, 50 random, 2 blank: all at once, or <= 200 rows a call.
    for cells, expected in ((10**9, [452]), (200 * X.shape[1], [200, 200, 52])):
        monkeypatch.setattr(probe, "STACKED_CELLS", cells)
        calls.clear()
        together = probe.predict_stacked(fitted, frames)
        assert calls == expected
        for frame, output in zip(frames, together, strict=True):
            np.testing.assert_array_equal(output, pipeline.predict_proba(frame))

"""The verdict as a pure function of hand-made results: every branch, no model fitted."""

import numpy as np
import pytest

from dlcheck.benchmark.compare import advantage, compare
from dlcheck.benchmark.results import BenchmarkResults, ModelResult
from dlcheck.benchmark.scoring import METRICS
from dlcheck.benchmark.splits import Fold, SplitPlan
from dlcheck.checks.outcomes import (
    ExplainabilityOutcome,
    NotTriedOutcome,
    PermutationOutcome,
    SurrogateFidelity,
)
from dlcheck.findings import Finding
from dlcheck.verdict import decide

FAMILIES = {"dummy": "baseline", "linear": "linear", "shallow_tree": "tree",
            "lightgbm": "ensemble", "mlp": "deep", "tabm": "deep"}
SIZES = {"dummy": 1e3, "linear": 2e3, "shallow_tree": 3e3, "lightgbm": 3e5, "mlp": 8e5}


def _results(means: dict[str, float], noise: float = 0.004, metric: str = "roc_auc",
             n_folds: int = 10) -> BenchmarkResults:
    rng = np.random.default_rng(0)
    fold_effect = rng.normal(0, 0.01, n_folds)  # shared by all models: the pairing
    folds = [Fold(0, i, np.arange(90), np.arange(10)) for i in range(n_folds)]
    split = SplitPlan(folds, "stratified", "test", n_folds, 1)
    models = []
    for name, mean in means.items():
        scores = mean + fold_effect + rng.normal(0, noise, n_folds)
        if name == "dummy":
            scores = np.full(n_folds, mean)
        models.append(ModelResult(
            name=name, family=FAMILIES[name], description="", metric=metric,
            fold_ids=[f.id for f in folds], fold_scores=scores.tolist(), mean=scores.mean(),
            ci_low=0, ci_high=1, fit_seconds=1 + SIZES[name] / 1e5,
            predict_ms_per_1k=1 + SIZES[name] / 1e5, size_bytes=int(SIZES[name]),
            n_params=int(SIZES[name] / 10), secondary={}, train_rows=90,
            train_rows_available=90))
    return BenchmarkResults("binary", METRICS[metric], split, models, {})


def _decide(results, findings=(), **kwargs):
    return decide(results, compare(results, kwargs.pop("min_gain", None)), list(findings),
                  n_rows=kwargs.pop("n_rows", 5000), **kwargs)


def test_no_model_beats_the_dummy_gives_no_signal():
    results = _results({"dummy": 0.5, "linear": 0.5, "lightgbm": 0.502, "mlp": 0.499},
                       noise=0.03)
    verdict = _decide(results)
    assert verdict.decision == "no_signal"
    assert verdict.recommended_model == "dummy"
    assert "includes 0" in verdict.reasons[0]


def test_permutation_p_value_above_alpha_gives_no_signal():
    results = _results({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.84})
    finding = Finding("permutation_test", "warning", "labels shuffled", {"p_value": 0.2},
                      outcome=PermutationOutcome(p_value=0.2))
    verdict = _decide(results, [finding])
    assert verdict.decision == "no_signal"
    # The uplift is clear; only the permutation test says no: the reasons must not claim
    # that the uplift's interval includes 0.
    assert "is above 0" in verdict.reasons[0] and "includes 0" not in verdict.reasons[0]
    assert "p=0.2" in verdict.reasons[1]


def test_blocking_finding_gives_fix_data_before_anything_else():
    results = _results({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.95})
    leak = Finding("leakage", "critical", "column 'x' predicts the target alone",
                   {"column": "x", "roc_auc": 0.999}, blocking=True)
    verdict = _decide(results, [leak])
    assert verdict.decision == "fix_data" and verdict.recommended_model is None
    assert "column 'x'" in verdict.reasons[0]


def test_clear_deep_gain_gives_deep_learning():
    results = _results({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.92})
    verdict = _decide(results)
    assert verdict.decision == "deep_learning"
    assert verdict.recommended_model == "mlp"
    assert any("more than the minimum worthwhile gain" in r for r in verdict.reasons)


def test_significant_gain_below_min_gain_stays_classical():
    results = _results({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.92})
    verdict = _decide(results, min_gain=0.2)
    assert verdict.decision == "classical"
    # The same bar both ways: linear, 0.05 behind lightgbm, is within the 0.2 a user asked for.
    assert verdict.recommended_model == "linear"
    assert any("shown within the minimum worthwhile gain (0.200) of lightgbm" in r
               for r in verdict.reasons)


def _explained(fidelity: dict[str, float], measure: str = "agreement",
               constant: float = 0.5) -> Finding:
    """The explainability check's finding, with the typed outcome the verdict reads."""
    models = {name: {"family": FAMILIES[name], "fidelity": f, "constant_agreement": constant,
                     "faithful": f >= 0.9 and (f - constant) / (1 - constant) >= 0.5}
              for name, f in fidelity.items()}
    outcome = ExplainabilityOutcome({
        name: SurrogateFidelity(family=e["family"], fidelity=e["fidelity"],
                                faithful=e["faithful"], constant_agreement=constant,
                                threshold=0.9, measure=measure)
        for name, e in models.items()})
    return Finding("explainability", "info", "surrogates", {
        "faithful_fidelity": 0.9, "fidelity_measure": measure, "min_skill_over_constant": 0.5,
        "models": models}, outcome=outcome)


LADDER_DEEP_AHEAD = {"dummy": 0.5, "linear": 0.8, "shallow_tree": 0.78, "lightgbm": 0.85,
                     "mlp": 0.92}


@pytest.mark.parametrize("finding", [
    None,  # --skip-check explainability
    Finding("explainability", "error", "The check failed", {"error": "boom"}),
])
def test_explain_required_without_the_check_recommends_only_linear_or_tree(finding):
    results = _results(LADDER_DEEP_AHEAD)
    verdict = _decide(results, [finding] if finding else [], explain_required=True)
    assert verdict.decision == "classical"
    assert verdict.recommended_model == "linear"
    assert any("explainability check did not run" in r and "best of them is linear" in r
               for r in verdict.reasons)


def test_explain_required_on_images_says_why_only_readable_models_count():
    # Images have occlusion maps, no surrogate: the reason must not call the check absent,
    # and the outlook must not ask for a faithful surrogate no image model can have.
    results = _results(LADDER_DEEP_AHEAD)
    not_tried = Finding("model_not_tried", "info", "no weights", {}, "",
                        outcome=NotTriedOutcome({"pretrained_resnet": "no weights"}))
    verdict = _decide(results, [_explained({"lightgbm": 0.99, "mlp": 0.99}), not_tried],
                      explain_required=True, kind="image", n_classes=2)
    assert verdict.decision == "classical" and verdict.recommended_model == "linear"
    assert not any("did not run" in r for r in verdict.reasons)
    assert any(r.startswith("--explain-required: on images no surrogate") for r in
               verdict.reasons)
    assert "surrogate" not in verdict.outlook
    assert "only dropping --explain-required" in verdict.outlook
    # ... nor pretrained weights or more images per class, which no network could use.
    assert "--weights" not in verdict.outlook and "per class" not in verdict.outlook


def test_explain_required_on_images_with_no_deep_lead_promises_no_network():
    results = _results({"dummy": 0.5, "linear": 0.8, "shallow_tree": 0.78, "lightgbm": 0.81,
                        "mlp": 0.805})
    verdict = _decide(results, [], explain_required=True, kind="image", n_classes=2)
    assert verdict.decision == "classical"
    assert verdict.outlook.startswith("Under --explain-required only a linear model")
    assert "--weights" not in verdict.outlook and "rows" not in verdict.outlook


def test_explain_required_allows_a_deep_model_with_a_faithful_surrogate():
    results = _results(LADDER_DEEP_AHEAD)
    verdict = _decide(results, [_explained({"lightgbm": 0.81, "mlp": 0.96})],
                      explain_required=True)
    assert verdict.decision == "deep_learning"
    assert verdict.recommended_model == "mlp"
    assert "mlp's depth-3 surrogate agrees with it on 96% of test rows (>= 90%): it can be " \
           "explained through the surrogate." in verdict.reasons


@pytest.mark.parametrize(("fidelity", "constant", "measure", "why"), [
    (0.81, 0.5, "agreement", "agrees with it on only 81% of test rows (< 90%)"),
    (0.96, 0.95, "agreement", "always predicting its most common class agrees on 95%"),
    (0.62, None, "r2", "reproduces its predictions with only R² 0.62 (< 0.90)"),
])
def test_explain_required_excludes_a_deep_model_whose_surrogate_is_not_faithful(
        fidelity, constant, measure, why):
    results = _results(LADDER_DEEP_AHEAD)
    finding = _explained({"lightgbm": 0.80, "mlp": fidelity}, measure, constant or 0.5)
    verdict = _decide(results, [finding], explain_required=True)
    assert verdict.decision == "classical"
    assert verdict.recommended_model == "linear"
    [reason] = [r for r in verdict.reasons if r.startswith("mlp's depth-3 surrogate")]
    assert why in reason and reason.endswith("not recommended under --explain-required.")
    lightgbm_why = "only R² 0.80" if measure == "r2" else "only 80%"
    assert any(r.startswith("lightgbm's depth-3 surrogate") and lightgbm_why in r
               for r in verdict.reasons)
    assert any("more than the minimum worthwhile gain" in r and "does not allow it" in r
               for r in verdict.reasons)
    # The outlook names the run's metric, not an accuracy the run may not have measured.
    assert verdict.outlook.startswith(
        f"Deep learning would be worth it on {results.metric.name} alone")


def test_explain_required_allows_an_ensemble_with_a_faithful_surrogate():
    results = _results(LADDER_DEEP_AHEAD)
    verdict = _decide(results, [_explained({"lightgbm": 0.95, "mlp": 0.7})],
                      explain_required=True)
    assert verdict.decision == "classical"
    assert verdict.recommended_model == "lightgbm"
    assert any("best of them is lightgbm" in r for r in verdict.reasons)


def test_surrogates_do_not_matter_unless_explanations_are_required():
    results = _results(LADDER_DEEP_AHEAD)
    verdict = _decide(results, [_explained({"lightgbm": 0.5, "mlp": 0.5})])
    assert verdict.decision == "deep_learning" and verdict.recommended_model == "mlp"
    assert not any("surrogate" in r for r in verdict.reasons)


def test_recommends_the_simplest_model_shown_within_the_min_gain_of_the_best():
    results = _results({"dummy": 0.5, "linear": 0.849, "shallow_tree": 0.70, "lightgbm": 0.85,
                        "mlp": 0.851}, noise=0.002)
    verdict = _decide(results)
    assert verdict.decision == "classical"
    assert verdict.recommended_model == "linear"
    assert any("simplest model shown within the minimum worthwhile gain" in r
               for r in verdict.reasons)


def test_a_simpler_model_not_shown_close_enough_is_not_recommended():
    # Defect: "tied" meant "not shown to be worse". linear trails by 0.02 AUC, twice the
    # minimum gain; with noisy folds the interval of the gap includes 0, which used to make
    # linear "statistically tied" and recommended.
    results = _results({"dummy": 0.5, "linear": 0.83, "lightgbm": 0.85, "mlp": 0.845},
                       noise=0.02, n_folds=5)
    gap = advantage(results, results.get("lightgbm"), results.get("linear"))
    assert gap.ci_low <= 0 < 0.01 < gap.ci_high  # the old rule's "tie"
    verdict = _decide(results)
    assert verdict.decision == "classical" and verdict.recommended_model == "lightgbm"
    assert any("No simpler model could be shown within the minimum worthwhile gain" in r
               and "linear" in r for r in verdict.reasons)


def test_house_prices_like_gap_keeps_the_better_model():
    # As seen on a real 2,930-row house-price table: linear's RMSE 28% above the tuned
    # LightGBM's, with an interval of the gap from below 0 to far above the 2% minimum gain.
    results = _results({"dummy": 79_000.0, "linear": 31_056.0, "lightgbm": 24_244.0,
                        "mlp": 26_000.0}, metric="rmse", noise=6_000.0, n_folds=5)
    gap = advantage(results, results.get("lightgbm"), results.get("linear"))
    assert gap.ci_low < 0 and gap.ci_high > compare(results).min_gain.value
    assert _decide(results).recommended_model == "lightgbm"


def test_clearly_better_model_is_not_replaced_by_a_simpler_one():
    results = _results({"dummy": 0.5, "linear": 0.70, "lightgbm": 0.85, "mlp": 0.84})
    assert _decide(results).recommended_model == "lightgbm"


def test_losses_use_a_relative_min_gain():
    results = _results({"dummy": 2.0, "linear": 1.0, "lightgbm": 0.8, "mlp": 0.7},
                       metric="rmse", noise=0.002)
    comparison = compare(results)
    assert comparison.min_gain.value == pytest.approx(0.02 * results.get("lightgbm").mean)
    assert comparison.deep_vs_classical.mean == pytest.approx(0.1, abs=0.01)
    assert _decide(results).decision == "deep_learning"


@pytest.mark.parametrize(("n_rows", "allowed"), [(50, {"low"}), (300, {"low", "medium"})])
def test_small_data_caps_confidence(n_rows, allowed):
    results = _results({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.95})
    assert _decide(results, n_rows=n_rows).confidence in allowed
    assert _decide(results, n_rows=100_000).confidence == "high"


def test_deep_recommendation_must_itself_clear_the_min_gain():
    results = _results({"dummy": 0.5, "lightgbm": 0.80, "mlp": 0.95})
    # A second deep model whose lead over lightgbm is real but below the worthwhile gain.
    tabm = results.get("mlp").__class__(**{**results.get("mlp").__dict__, "name": "tabm",
                                            "size_bytes": 10**6})
    tabm.fold_scores = [s - 0.145 for s in results.get("mlp").fold_scores]
    tabm.mean = float(np.mean(tabm.fold_scores))
    mlp = results.get("mlp")
    mlp.size_bytes = 2 * 10**6  # mlp is now the bigger, so tabm would be "simpler"
    results.models.append(tabm)
    verdict = _decide(results)
    assert verdict.decision == "deep_learning"
    assert verdict.recommended_model == "mlp"


def test_undefined_signal_interval_is_not_evidence():
    results = _results({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.84})
    for m in results.models:
        m.fold_scores[0] = float("nan")
    assert _decide(results).decision == "no_signal"


def test_folds_with_undefined_scores_are_left_out_for_every_model():
    from dlcheck.benchmark.jobs import JobResult
    from dlcheck.benchmark.results import aggregate
    from dlcheck.models.tabular.ladder import TABULAR_LADDER as LADDER

    folds = [Fold(0, i, np.arange(8), np.arange(2)) for i in range(3)]
    split = SplitPlan(folds, "grouped", "test", 3, 1)
    specs = [s for s in LADDER if s.name in ("dummy", "linear")]
    jobs = [JobResult(key="", model=s.name, fold_id=f.id, repeat=0, fraction=1.0,
                      scores={"roc_auc": float("nan") if (s.name, f.index) == ("linear", 1)
                              else 0.7}, fit_seconds=0.1, predict_ms_per_1k=1.0)
            for s in specs for f in folds]
    results = aggregate(jobs, specs, "binary", "roc_auc", split)
    assert results.undefined_folds == ["r0f1"]
    assert all(m.fold_ids == ["r0f0", "r0f2"] and len(m.fold_scores) == 2
               for m in results.models)


def test_a_tuned_variant_stands_for_its_default_in_the_verdict():
    # The default scored higher on the outer folds than its nested-tuned variant: picking the
    # better of the two after the fact would be optimistic, so the verdict uses the variant.
    results = _results({"dummy": 0.5, "linear": 0.70, "lightgbm": 0.86, "mlp": 0.80})
    tuned = results.get("lightgbm")
    variant = ModelResult(**{**tuned.__dict__, "name": "lightgbm_tuned", "spec": "lightgbm",
                             "fold_scores": [s - 0.01 for s in tuned.fold_scores],
                             "mean": tuned.mean - 0.01})
    results.add_model(variant)
    tuned.tuned_variant = "lightgbm_tuned"
    verdict = _decide(results)
    assert verdict.decision == "classical"
    assert compare(results).best_classical == "lightgbm_tuned"
    assert "lightgbm_tuned" in verdict.reasons[0]
    assert verdict.recommended_model in {"lightgbm", "lightgbm_tuned"}


def _shifted(results, name: str, new: str, offset: float, size: float | None = None):
    """A copy of model `name` named `new`, every fold score moved by `offset`."""
    base = results.get(name)
    scores = [s + offset for s in base.fold_scores]
    model = ModelResult(**{**base.__dict__, "name": new, "fold_scores": scores,
                           "mean": float(np.mean(scores)), "notes": [], "params": {},
                           "fold_params": {}, "tuned_variant": "",
                           "size_bytes": int(size or base.size_bytes)})
    results.models.append(model)
    return model


def test_min_gain_near_the_ceiling_is_a_fifth_of_the_remaining_error():
    results = _results({"dummy": 0.5, "linear": 0.98, "lightgbm": 0.99, "mlp": 0.991},
                       noise=0.0005)
    gain = compare(results).min_gain
    assert gain.value == pytest.approx((1 - results.get("lightgbm").mean) / 5, rel=1e-6)
    assert "a fifth of lightgbm's remaining error" in gain.why
    far = compare(_results({"dummy": 0.5, "linear": 0.6, "lightgbm": 0.7, "mlp": 0.71}))
    assert far.min_gain.value == 0.01 and compare(results, 0.05).min_gain.value == 0.05
    # At the ceiling itself the gain keeps a floor: something can still be shown close.
    perfect = _results({"dummy": 0.5, "linear": 0.9999, "lightgbm": 1.0, "mlp": 1.0}, noise=0)
    assert compare(perfect).min_gain.value == pytest.approx(0.001)
    assert _decide(perfect).recommended_model == "linear"


def test_a_deep_gain_that_clears_the_ceiling_bar_is_worth_it():
    # At AUC 0.995 an absolute 0.01 could never be cleared; a fifth of the remaining error can.
    results = _results({"dummy": 0.5, "linear": 0.97, "lightgbm": 0.990, "mlp": 0.997},
                       noise=0.0005)
    assert compare(results).min_gain.value < 0.01
    assert _decide(results).decision == "deep_learning"


def test_a_classical_recommendation_is_never_one_the_deep_model_beats_by_the_min_gain():
    # mlp is ahead of lightgbm by less than the gain (classical), linear is within the gain
    # of lightgbm, yet mlp beats linear by more than it: recommending linear would contradict
    # the verdict's own test.
    results = _results({"dummy": 0.5, "lightgbm": 0.85, "mlp": 0.858}, noise=0.0005)
    _shifted(results, "lightgbm", "linear", -0.008, size=2e3)
    results.get("linear").family = "linear"
    verdict = _decide(results)
    lead = advantage(results, results.get("mlp"), results.get("linear"), 1)
    assert verdict.decision == "classical" and lead.ci_low > 0.01
    assert verdict.recommended_model == "lightgbm"
    assert any("mlp beats it by" in r for r in verdict.reasons)


def test_explain_required_tests_the_best_allowed_deep_model():
    results = _results({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.95})
    _shifted(results, "mlp", "tabm", -0.02, size=9e5)  # faithful, and still far ahead
    finding = _explained({"lightgbm": 0.7, "mlp": 0.6, "tabm": 0.97})
    verdict = _decide(results, [finding], explain_required=True)
    assert verdict.decision == "deep_learning" and verdict.recommended_model == "tabm"


def test_no_signal_when_the_two_tests_disagree_has_low_confidence():
    results = _results({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.84})
    finding = Finding("permutation_test", "warning", "labels shuffled", {"p_value": 0.6},
                      outcome=PermutationOutcome(p_value=0.6))
    verdict = _decide(results, [finding], n_rows=100_000)
    assert verdict.decision == "no_signal" and verdict.confidence == "low"
    assert "disagree" in verdict.confidence_reasons[0]


def test_no_signal_on_little_data_says_a_worthwhile_signal_is_not_ruled_out():
    results = _results({"dummy": 0.5, "linear": 0.52, "lightgbm": 0.55, "mlp": 0.5},
                       noise=0.08, n_folds=5)
    verdict = _decide(results, n_rows=60)
    assert verdict.decision == "no_signal" and "not ruled out" in verdict.outlook
    quiet = _decide(_results({"dummy": 0.5, "linear": 0.48, "lightgbm": 0.485, "mlp": 0.48},
                             noise=0.001), n_rows=60)
    assert "unlikely to help" in quiet.outlook


@pytest.mark.parametrize(("means", "decision", "expected"), [
    ({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.95}, "deep_learning", "high"),
    ({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.864}, "deep_learning", "medium"),
    ({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.70}, "classical", "high"),
    ({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.858}, "classical", "low"),
])
def test_confidence_grows_with_the_margin_beyond_the_threshold(means, decision, expected):
    verdict = _decide(_results(means, noise=0.004, n_folds=10), n_rows=100_000)
    assert (verdict.decision, verdict.confidence) == (decision, expected)
    assert verdict.confidence_reasons[0].startswith(expected)


def test_confidence_is_lowered_by_an_undertrained_deep_side_and_by_time_folds():
    means = {"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.70}
    results = _results(means, n_folds=10)
    assert _decide(results, n_rows=100_000).confidence == "high"
    results.get("mlp").capped_folds = 3
    capped = _decide(results, n_rows=100_000)
    assert capped.confidence == "medium"
    assert any("epoch cap" in r for r in capped.confidence_reasons)
    assert any("epoch cap" in r for r in capped.reasons)
    cut = _results(means, n_folds=10)
    cut.get("mlp").cut_short_folds = 2  # stopped at the time per fit, not the epoch cap
    assert _decide(cut, n_rows=100_000).confidence == "medium"
    timed = _results(means, n_folds=10)
    timed.split = SplitPlan(timed.split.folds, "time", "test", 10, 1)
    assert _decide(timed, n_rows=100_000).confidence == "medium"


def test_fix_data_confidence_comes_from_the_blocking_check():
    results = _results({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.95})
    sure = Finding("leakage", "critical", "leak", {"x": 1}, blocking=True, confidence="high")
    unsure = Finding("dups", "critical", "dups", {"x": 1}, blocking=True)
    assert _decide(results, [sure]).confidence == "high"
    assert _decide(results, [unsure]).confidence == "medium"


def test_a_findings_typed_outcome_stays_out_of_report_json():
    finding = Finding("permutation_test", "info", "p", {"p_value": 0.01},
                      outcome=PermutationOutcome(p_value=0.01))
    assert set(finding.to_dict()) == {"check", "severity", "summary", "evidence", "advice",
                                      "blocking", "confidence"}
    assert _decide(_results({"dummy": 0.5, "linear": 0.8, "lightgbm": 0.85, "mlp": 0.84}),
                   [finding]).decision != "no_signal"

"""Defaults are not magic: the best classical and the best deep model, each tuned with Optuna
with the same number of trials on the same rows inside every outer fold (nested), against
their defaults.

This is the one check that adds to the results: each tuned variant joins the ladder and stands
for its default in every comparison after it (the later checks and the verdict), because its
score comes from outer folds its tuning never saw.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from dlcheck.benchmark.compare import CLASSICAL
from dlcheck.benchmark.jobs import JobResult
from dlcheck.benchmark.results import BenchmarkResults, ModelResult, summarize
from dlcheck.benchmark.stats import goodness_sign, paired_difference
from dlcheck.checks.base import CheckContext, NotApplicable
from dlcheck.findings import Finding
from dlcheck.models.registry import get_model


@dataclass(frozen=True)
class Tuning:
    code: ClassVar[str] = "tuning"
    title: ClassVar[str] = "Defaults are not magic: tuned against default"

    def run(self, context: CheckContext) -> list[Finding]:
        if context.run_jobs is None:
            raise NotApplicable("no executor to tune models")
        results = context.results
        targets = [m for m in (results.best(CLASSICAL), results.best({"deep"}))
                   if m is not None and not m.params
                   and _search_space(m.spec or m.name, context.dataset.kind)]
        if not targets:
            raise NotApplicable("no classical or deep model to tune")
        trials = context.budget.tuning_trials
        by_id = {f.id: f for f in results.split.folds}
        jobs = [m.job(by_id[fid], tune_trials=trials, name=f"{m.name}_tuned")
                for m in targets for fid in m.fold_ids]
        done = context.run_jobs(jobs)
        failed = [r for r in done if not r.ok]
        if failed:  # all or nothing: one side tuned and the other not would be unfair
            raise RuntimeError(f"tuning {failed[0].model} failed, so no model was tuned: "
                               f"{failed[0].error}")
        rows = {}
        for model in targets:
            mine = {r.fold_id: r for r in done if r.model == f"{model.name}_tuned"}
            tuned = self._add_tuned(results, model, mine, trials)
            rows[model.name] = self._row(results, model, tuned, mine)
        return [self._finding(results, rows, trials, context.budget.tuning_max_epochs)]

    @staticmethod
    def _add_tuned(results: BenchmarkResults, model: ModelResult,
                   mine: dict[str, JobResult], trials: int) -> ModelResult:
        """The tuned variant as a model of the ladder; a fold where the defaults won keeps the
        default's own fit (same seed, same rows: the same model)."""
        defaults = results.fold_results.get(model.name, {})
        ordered = []
        for fid in model.fold_ids:
            r = mine[fid]
            if r.extras["tuning"]["defaults_won"]:
                r = replace(defaults[fid], key=r.key, model=r.model, extras=r.extras)
            ordered.append(r)
        name = f"{model.name}_tuned"
        tuned = summarize(
            name, model.family, f"{model.description}; tuned with Optuna, {trials} trials "
            "inside each fold", ordered, results.metric, results.split,
            spec=model.spec or model.name)
        tuned.fold_params = {fid: mine[fid].extras["tuning"]["params"] for fid in model.fold_ids}
        oof = results.out_of_fold.get(model.name)
        if oof is not None:  # the default's predictions, replaced where a tuned fit was scored
            oof = oof.copy()
            for r in mine.values():
                if r.predictions is not None and r.repeat == 0:
                    oof[r.test_index] = r.predictions.reshape(len(r.test_index), -1)
        results.add_model(tuned, oof)
        results.fold_results[name] = {r.fold_id: r for r in ordered}
        model.tuned_variant = name
        return tuned

    @staticmethod
    def _row(results: BenchmarkResults, model: ModelResult, tuned: ModelResult,
             mine: dict[str, JobResult]) -> dict:
        figures = [mine[fid].extras["tuning"] for fid in model.fold_ids]
        gain = paired_difference(np.asarray(tuned.fold_scores), np.asarray(model.fold_scores),
                                 results.split.test_train_ratio, results.metric.greater_is_better)
        return {
            "family": model.family, "default": round(model.mean, 4),
            "default_ci": [round(model.ci_low, 4), round(model.ci_high, 4)],
            "tuned_model": tuned.name, "tuned": round(tuned.mean, 4),
            "tuned_ci": [round(tuned.ci_low, 4), round(tuned.ci_high, 4)],
            "gain": round(gain.mean, 4), "gain_ci": [round(gain.ci_low, 4),
                                                     round(gain.ci_high, 4)],
            "gain_p_value": round(gain.p_value, 4) if np.isfinite(gain.p_value) else None,
            "trials_per_fold": [f["trials"] for f in figures],
            "trial_rows_per_fold": [f["trial_rows"] for f in figures],
            "trials_at_epoch_cap_per_fold": [f.get("trials_at_epoch_cap", 0) for f in figures],
            "inner_rows_per_fold": [f["inner_rows_available"] for f in figures],
            "search_seconds_per_fold": [f["seconds"] for f in figures],
            "defaults_kept_on_folds": sum(f["defaults_won"] for f in figures),
            "params_per_fold": {fid: mine[fid].extras["tuning"]["params"]
                                for fid in model.fold_ids},
        }

    def _finding(self, results: BenchmarkResults, rows: dict, trials: int,
                 max_epochs: int) -> Finding:
        metric = results.metric.name
        n_folds = len(results.split.folds)
        parts = []
        for name, row in rows.items():
            kept = row["defaults_kept_on_folds"]
            parts.append(
                f"{name} {row['default']:.3f} -> {row['tuned']:.3f} tuned "
                f"(gain {row['gain']:+.3f}, 95% CI {row['gain_ci'][0]:+.3f} to "
                f"{row['gain_ci'][1]:+.3f}"
                + (f", defaults kept on {kept} of {n_folds} folds" if kept else "") + ")")
        trial_rows = max((max(r["trial_rows_per_fold"]) for r in rows.values()), default=0)
        inner_rows = max((max(r["inner_rows_per_fold"]) for r in rows.values()), default=0)
        on_rows = (f"on {trial_rows:,} of the {inner_rows:,} inner training rows, the same "
                   "for both" if trial_rows < inner_rows else "on the same inner rows")
        summary = (f"The best classical and the best deep model each had {trials} tuning "
                   f"trials (the defaults first) inside every outer fold, {on_rows}, scored on "
                   "rows the fold's test part never saw: " + "; ".join(parts) + f" ({metric}).")
        severity, advice = "info", ("The verdict compares the tuned variants; a larger "
                                    "--budget runs more trials.")
        classical = next((r for r in rows.values() if r["family"] != "deep"), None)
        deep = next((r for r in rows.values() if r["family"] == "deep"), None)
        if classical and deep:
            sign = goodness_sign(results.metric.greater_is_better)
            before = sign * (deep["default"] - classical["default"])
            after = sign * (deep["tuned"] - classical["tuned"])
            if before * after < 0:
                severity = "warning"
                leader = "deep" if after > 0 else "classical"
                summary += (f" Tuning changes which side leads: with defaults the "
                            f"{'deep' if before > 0 else 'classical'} model was ahead, tuned "
                            f"the {leader} one is.")
                advice = ("Judge deep against classical on tuned models only; a comparison of "
                          "defaults would have misled here.")
        if any(r["family"] == "deep" for r in rows.values()):
            advice += (f" The networks' trials trained for at most "
                       f"{max_epochs} epochs each; the winner's refit trains "
                       "until early stopping.")
        if trial_rows < inner_rows:
            advice += (f" Trials fitted on a subsample of {trial_rows:,} rows; the best "
                       "configuration was then refitted on the whole training fold. A larger "
                       "--budget tunes on more rows.")
        evidence = {"metric": metric, "trials_per_fold": trials, "models": rows}
        return Finding(self.code, severity, summary, evidence, advice)


def _search_space(name: str, kind: str):
    try:
        return get_model(name, kind).search_space
    except KeyError:  # not a rung of the ladder
        return None

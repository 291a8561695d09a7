"""Defaults are not magic: the best classical and the best deep model, each tuned with Optuna
with the same number of trials on the same rows inside every outer fold (nested), against
their defaults. The tuning itself is a stage of the benchmark (dlcheck.benchmark.variants);
this check reads what it did and says what it means."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dlcheck.benchmark.jobs import JobResult
from dlcheck.benchmark.results import BenchmarkResults, ModelResult
from dlcheck.benchmark.stats import goodness_sign, paired_difference
from dlcheck.checks.base import ANY_KIND, CheckContext, NotApplicable
from dlcheck.findings import Finding


@dataclass(frozen=True)
class Tuning:
    code: ClassVar[str] = "tuning"
    title: ClassVar[str] = "Defaults are not magic: tuned against default"
    kinds: ClassVar[frozenset[str]] = ANY_KIND

    def run(self, context: CheckContext) -> list[Finding]:
        results = context.results
        run = results.tuning
        if run is None:
            raise NotApplicable("the tuning stage did not run")
        if run.not_tuned:
            raise NotApplicable(run.not_tuned)
        if run.error:
            raise RuntimeError(run.error)
        rows = {name: self._row(results, results.get(name), results.get(tuned), run.jobs[name])
                for name, tuned in run.tuned.items()}
        return [self._finding(results, rows, run.trials, run.max_epochs)]

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


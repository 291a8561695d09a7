"""Tuned variants, a stage of the benchmark: the best classical and the best deep model, each
tuned with Optuna with the same number of trials on the same rows inside every outer fold
(nested), join the ladder as `<name>_tuned`. Each stands for its default in every comparison
after it (the checks and the verdict), because its score comes from outer folds its tuning
never saw. The `tuning` check only reads what this stage did (`BenchmarkResults.tuning`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from dlcheck.benchmark.compare import CLASSICAL
from dlcheck.benchmark.jobs import Job, JobResult
from dlcheck.benchmark.results import BenchmarkResults, ModelResult, summarize
from dlcheck.benchmark.tuning import tuning_hook
from dlcheck.models.registry import get_model


@dataclass
class TuningRun:
    """What the tuning stage did."""

    trials: int
    """Trials per outer fold, the defaults first."""
    max_epochs: int
    """The most epochs a network's trial trained."""
    tuned: dict[str, str] = field(default_factory=dict)
    """Default model name -> its tuned variant's name, best classical first."""
    jobs: dict[str, dict[str, JobResult]] = field(default_factory=dict)
    """Default model name -> fold id -> its tuning job (the search's figures in
    `extras['tuning']`)."""
    not_tuned: str = ""
    """Why no model was tuned, when none was for want of a model to tune."""
    error: str = ""
    """Why no model was tuned, when a search failed (all or nothing: one side tuned and the
    other not would be unfair)."""


def add_tuned_variants(results: BenchmarkResults, run_jobs: Callable[[list[Job]], list[JobResult]],
                       trials: int, max_epochs: int, kind: str,
                       keep_fits: frozenset[str] = frozenset()) -> TuningRun:
    """Tune the best classical and the best deep model on every fold they were scored on and
    add their tuned variants to `results`; what was done is also `results.tuning`. The fits
    on the folds `keep_fits` are kept for the checks' probes."""
    run = TuningRun(trials, max_epochs)
    results.tuning = run
    targets = [m for m in (results.best(CLASSICAL), results.best({"deep"}))
               if m is not None and not m.params and _search_space(m.spec or m.name, kind)]
    if not targets:
        run.not_tuned = "no classical or deep model to tune"
        return run
    by_id = {f.id: f for f in results.split.folds}
    jobs = [m.job(by_id[fid], choose_params=tuning_hook(trials), name=f"{m.name}_tuned",
                  keep_fit=fid in keep_fits)
            for m in targets for fid in m.fold_ids]
    done = run_jobs(jobs)
    failed = [r for r in done if not r.ok]
    if failed:
        run.error = (f"tuning {failed[0].model} failed, so no model was tuned: "
                     f"{failed[0].error}")
        return run
    for model in targets:
        mine = {r.fold_id: r for r in done if r.model == f"{model.name}_tuned"}
        run.tuned[model.name] = _add_tuned(results, model, mine, trials).name
        run.jobs[model.name] = mine
    return run


def _search_space(name: str, kind: str):
    try:
        return get_model(name, kind).search_space
    except KeyError:  # not a rung of the ladder
        return None


def _add_tuned(results: BenchmarkResults, model: ModelResult, mine: dict[str, JobResult],
               trials: int) -> ModelResult:
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

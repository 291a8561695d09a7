"""The pipeline: data -> plan of jobs -> executor -> results -> tuned variants -> checks ->
verdict -> report. `assess` runs the stages, one after another, and raises errors that name
its options neutrally (dlcheck.errors); the command line words them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd

from dlcheck import __version__
from dlcheck._config import Budget, get_budget
from dlcheck.assessment import Assessment
from dlcheck.checks.codes import CHECK_CODES
from dlcheck.data.loading import load_dataset
from dlcheck.devices import check_device, resolve_device
from dlcheck.errors import DataError, RunInterrupted, WorkerDied
from dlcheck.findings import Finding

if TYPE_CHECKING:
    from dlcheck.benchmark.results import BenchmarkResults
    from dlcheck.data.dataset import Dataset
    from dlcheck.executors.base import Executor

# The engine (scikit-learn, the checks, matplotlib: 2.5 s of imports) is imported where it is
# first needed, after the input is read and checked: a bad table or option fails in a second.

ProgressCallback = Callable[[str, int, int], None]
"""Called as (what is running, steps done, steps in all)."""


def assess(
    data: pd.DataFrame | str | os.PathLike,
    target: str | None = None,
    *,
    task: str = "auto",
    budget: str | Budget = "quick",
    time_col: str | None = None,
    gap: int = 0,
    group_col: str | None = None,
    min_gain: float | None = None,
    explain_required: bool = False,
    seed: int = 0,
    n_jobs: int | None = None,
    device: str = "auto",
    executor: Executor | None = None,
    progress: ProgressCallback | None = None,
    data_name: str | None = None,
    skip_checks: tuple[str, ...] | list[str] = (),
    run_dir: str | os.PathLike | None = None,
    resume: bool = False,
    fresh: bool = False,
    log: Callable[[str], None] | None = None,
    image_col: str | None = None,
    image_size: int | None = None,
    augment_flip: bool = False,
    weights: str | os.PathLike | None = None,
) -> Assessment:
    """Benchmark the ladder of models on a table or on images and decide whether deep learning
    is worth it.

    `data` is a DataFrame, the path of a CSV, TSV or Parquet file, or a folder of images with
    one subfolder per class (`target` then defaults to the folder's name); a table whose
    `image_col` holds image paths (relative to the table's folder) is a set of images too.
    Images are resized to `image_size` pixels (default: their most common size, within 8..64);
    `augment_flip` lets the networks train on mirrored images; `weights` is a torchvision
    ResNet checkpoint to fine-tune (default: one in the torch hub cache, if any; nothing is
    downloaded). `data_name` names the data in
    the report (default: the file name, or "DataFrame"); `skip_checks` lists pitfall check
    codes not to run. Raises DataError on input that no benchmark can use, with a message that
    says what to do.

    With `run_dir`, every finished job is saved in a run store there (see dlcheck.store) and a
    later call with the same data and options reuses them: an interrupted run (RunInterrupted)
    goes on where it stopped. `resume=True` insists on it (DataError, saying why, when there is
    nothing to resume); `fresh=True` discards the stored jobs. `log` receives one-line messages
    for the user (what is reused, why a run starts afresh).
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    if min_gain is not None and min_gain < 0:
        raise DataError(f"<min_gain> must be 0 or more, not {min_gain}.")
    if not 0 <= seed < 2**32:
        raise DataError(f"<seed> must be between 0 and 4294967295, not {seed}.")
    check_device(device)
    unknown = sorted(set(skip_checks) - set(CHECK_CODES))
    if unknown:
        raise DataError(f"unknown check code(s) {', '.join(unknown)} in <skip_check>: the codes "
                        f"are {', '.join(CHECK_CODES)}.")
    if resume and fresh:
        raise DataError("<resume> and <fresh> contradict each other: choose one.")
    budget_preset = get_budget(budget)
    prepared, source = load_dataset(data, target, task, time_col=time_col,
                                    group_col=group_col, image_col=image_col,
                                    image_size=image_size, augment_flip=augment_flip,
                                    weights=weights)
    target = prepared.target
    source = data_name or source
    timings["load_and_profile"] = time.perf_counter() - started
    if gap and time_col is None:
        raise DataError("<gap> leaves periods out between training and test in time: it needs "
                        "<time_col>.")
    options = {"target": target, "task": task, "budget": budget_preset.name,
               "time_col": time_col, "gap": gap, "group_col": group_col, "min_gain": min_gain,
               "explain_required": explain_required, "seed": seed,
               "skip_checks": sorted(skip_checks)}
    if prepared.kind == "image":
        options.update(image_col=image_col, image_size=image_size, augment_flip=augment_flip,
                       weights=None if weights is None else str(weights))
    from dlcheck.executors.base import WorkerLost
    from dlcheck.executors.local import LocalExecutor
    from dlcheck.executors.storing import StoringExecutor
    from dlcheck.models.spec import WORK_MODEL
    from dlcheck.store import Fingerprint, RunStore

    executor = executor or LocalExecutor(n_jobs)
    if hasattr(executor, "warm_up"):  # the workers' imports overlap what follows
        executor.warm_up()
    if run_dir is None:
        return _assess_prepared(prepared, budget_preset, options, executor, device, source,
                                progress, timings, started)

    fingerprint = Fingerprint({
        "data": prepared.fingerprint(), "target": target, "task": task,
        "budget": budget_preset.to_dict(), "time_col": time_col, "gap": gap,
        "group_col": group_col,
        "seed": seed, "device": resolve_device(device),
        "dlcheck_version": __version__, "work_model": WORK_MODEL})
    with RunStore(run_dir) as store:
        start = store.begin_run(fingerprint, options, source, fresh=fresh, resume=resume)
        if log and start.fresh_reason:
            log(f"starting afresh: {start.fresh_reason}.")
        if log and start.reusable:
            log(f"resuming: {start.reusable} finished jobs of the run of "
                f"{start.resumed_from} are reused.")
        try:
            assessment = _assess_prepared(prepared, budget_preset, options,
                                          StoringExecutor(executor, store), device, source,
                                          progress, timings, started)
        except KeyboardInterrupt:
            store.end_run("interrupted", seconds=time.perf_counter() - started)
            raise RunInterrupted(store.reused + store.fitted, str(store.path)) from None
        except WorkerLost:
            store.end_run("failed", seconds=time.perf_counter() - started)
            raise WorkerDied(
                f"a worker process was killed (by the system, most often for lack of memory); "
                f"{store.reused + store.fitted} finished jobs are saved in {store.path}. Run "
                "the same command again with fewer <jobs> to go on with less memory.") from None
        except BaseException:
            store.end_run("failed", seconds=time.perf_counter() - started)
            raise
        store.end_run("finished", decision=assessment.verdict["decision"],
                      recommended_model=assessment.verdict["recommended_model"],
                      seconds=time.perf_counter() - started)
        if log and store.reused:
            log(f"{store.reused} jobs reused, {store.fitted} fitted.")
    return assessment


def _assess_prepared(prepared: Dataset, budget_preset: Budget, options: dict[str, Any],
                     executor: Executor, device: str, source: str,
                     progress: ProgressCallback | None, timings: dict[str, float],
                     started: float) -> Assessment:
    """Benchmark, checks, verdict and report on a prepared table."""
    from dlcheck.benchmark import preprocessed
    from dlcheck.benchmark.fit_cache import FitCache
    from dlcheck.benchmark.fitting import BenchmarkData
    from dlcheck.benchmark.splits import make_folds
    from dlcheck.checks.registry import folds_to_keep
    from dlcheck.executors.base import threads_per_job

    seed = options["seed"]
    split = make_folds(prepared.y, prepared.task != "regression", budget_preset.n_folds,
                       budget_preset.n_repeats, seed, groups=prepared.groups,
                       times=prepared.times, gap=options.get("gap", 0))
    # The full fits of the folds the probing checks refit on are kept for them, for this run.
    n_kept = folds_to_keep(prepared.kind, options["skip_checks"])
    fit_cache = FitCache.create(f.id for f in split.probe_folds(n_kept)) if n_kept else None
    bench_data = BenchmarkData.of(prepared, budget_preset, seed, device=device,
                                  n_threads=threads_per_job(executor), fit_cache=fit_cache)
    try:
        return _run_stages(prepared, budget_preset, options, executor, source, progress,
                           timings, started, split, bench_data, device)
    finally:
        try:
            if hasattr(executor, "close"):  # the workers hold this run's data and fits
                executor.close()
        finally:
            if fit_cache is not None:
                fit_cache.remove()
            preprocessed.clear()  # what jobs run in this process kept (one worker, --jobs 1)


def _run_stages(prepared: Dataset, budget_preset: Budget, options: dict[str, Any],
                executor: Executor, source: str, progress: ProgressCallback | None,
                timings: dict[str, float], started: float, split, bench_data,
                device: str) -> Assessment:
    """The benchmark, the tuned variants, the checks, the verdict and the report."""
    from dlcheck.benchmark.compare import compare
    from dlcheck.benchmark.jobs import Job, JobResult, plan_jobs
    from dlcheck.benchmark.results import aggregate
    from dlcheck.benchmark.runner import run_job
    from dlcheck.benchmark.scoring import PRIMARY_METRIC
    from dlcheck.benchmark.variants import add_tuned_variants
    from dlcheck.checks.base import CheckContext
    from dlcheck.checks.registry import run_checks
    from dlcheck.models.registry import ladder_for, not_tried
    from dlcheck.report.builder import build_report
    from dlcheck.verdict import decide

    seed = options["seed"]
    stage = time.perf_counter()

    # One function for every map, so that an executor can keep its workers between them.
    job_fn = partial(run_job, data=bench_data)

    def run_jobs(jobs: list[Job], label: str = "") -> list[JobResult]:
        """The jobs' results in the order of `jobs`, whatever order they finish in."""
        finished: dict[str, JobResult] = {}
        for done, result in enumerate(executor.map(job_fn, jobs), 1):
            finished[result.key] = result
            if progress:
                progress(label or f"{result.model} {result.fold_id}", done, len(jobs))
        return [finished[job.key] for job in jobs]

    specs = list(ladder_for(prepared.kind, bench_data.inputs.features))
    kept = bench_data.fit_cache.fold_ids if bench_data.fit_cache else frozenset()
    probed = {s.name for s in specs if s.family != "baseline"}  # what the probes may read
    job_results = run_jobs([replace(j, keep_fit=j.fold.id in kept and j.model in probed)
                            for j in plan_jobs(specs, split.folds)])
    metric = PRIMARY_METRIC[prepared.task]
    results = aggregate(job_results, specs, prepared.task, metric, split)
    timings["benchmark"] = time.perf_counter() - stage
    if not any(m.family == "baseline" for m in results.models):
        raise RuntimeError(f"the dummy baseline failed: {results.failures.get('dummy')}")

    health = _benchmark_findings(results)  # of the ladder as benchmarked, before tuning
    health += _not_tried_findings(not_tried(prepared.kind, bench_data.inputs.features))

    stage = time.perf_counter()
    if "tuning" not in options["skip_checks"]:  # skipping the check skips the tuning it reads
        add_tuned_variants(results, partial(run_jobs, label="tuning the best models"),
                           budget_preset.tuning_trials, budget_preset.tuning_max_epochs,
                           prepared.kind, keep_fits=kept)
    timings["tuned_variants"] = time.perf_counter() - stage

    stage = time.perf_counter()
    context = CheckContext(dataset=prepared, results=results, budget=budget_preset, seed=seed,
                           run_jobs=partial(run_jobs, label="checks: refitting models"),
                           min_gain=options["min_gain"])
    findings = prepared.findings + health + run_checks(
        context, skip=options["skip_checks"], progress=progress, timings=timings)
    timings["checks"] = time.perf_counter() - stage
    if hasattr(executor, "close"):  # no more jobs: the workers' memory is not the report's
        executor.close()

    stage = time.perf_counter()
    comparison = compare(results, options["min_gain"])
    verdict = decide(results, comparison, findings, n_rows=prepared.n_rows,
                     kind=prepared.kind, n_classes=len(prepared.classes),
                     explain_required=options["explain_required"])
    timings["verdict"] = time.perf_counter() - stage
    timings["total"] = time.perf_counter() - started

    report = build_report(
        prepared=prepared, results=results, comparison=comparison, verdict=verdict,
        findings=findings, budget=budget_preset, options=options, timings=timings,
        environment=_environment(executor, device), source=source,
    )
    return Assessment(report)


def _benchmark_findings(results: BenchmarkResults) -> list[Finding]:
    findings = []
    for name, error in results.failures.items():
        findings.append(Finding(
            check="model_failed", severity="error",
            summary=f"{name} failed and is left out of the comparison: {error}",
            evidence={"model": name, "error": error},
            advice="It ran past the time one job may take in this budget (job_seconds): a "
                   "larger --budget gives it more." if name in results.timed_out else
                   "Report this with the data's shape and column kinds if it persists.",
        ))
    if results.undefined_folds:
        findings.append(Finding(
            check="undefined_scores", severity="warning",
            summary=f"{len(results.undefined_folds)} fold(s) where a score could not be computed "
                    f"were left out for every model: {', '.join(results.undefined_folds)}.",
            evidence={"folds": results.undefined_folds},
            advice="Usually a test fold holding a single class: more rows of each class help.",
        ))
    subsampled = [m for m in results.models if m.subsampled]
    if subsampled:
        findings.append(Finding(
            check="subsampled_models", severity="info",
            summary="Some slow models were trained on a subsample of each training fold: "
                    + ", ".join(f"{m.name} ({m.train_rows:,} of {m.train_rows_available:,} "
                                "rows)" for m in subsampled),
            evidence={m.name: {"train_rows": m.train_rows,
                               "train_rows_available": m.train_rows_available}
                      for m in subsampled},
            advice="A larger --budget gives them more rows.",
        ))
    capped = [m for m in results.models if m.capped_folds]
    if capped:
        findings.append(Finding(
            check="deep_training_capped", severity="warning",
            summary="Networks stopped at their epoch cap before early stopping ended their "
                    "training: " + ", ".join(f"{m.name} (on {m.capped_folds} of "
                                             f"{len(m.fold_ids)} folds)" for m in capped)
                    + ". They may be undertrained, and the verdict's confidence is lowered.",
            evidence={m.name: {"capped_folds": m.capped_folds, "folds": len(m.fold_ids)}
                      for m in capped},
            advice="A larger --budget raises the cap (max_epochs, deep_row_passes).",
        ))
    cut = [m for m in results.models if m.cut_short_folds]
    if cut:
        findings.append(Finding(
            check="deep_models_cut_short", severity="warning",
            summary="Deep models stopped at the budget's time limit before early stopping: "
                    + ", ".join(f"{m.name} ({'; '.join(m.notes)})" for m in cut),
            evidence={m.name: m.notes for m in cut},
            advice="Their scores may improve with a larger --budget.",
        ))
    return findings


def _not_tried_findings(reasons: dict[str, str]) -> list[Finding]:
    from dlcheck.checks.outcomes import NotTriedOutcome

    return [Finding(
        check="model_not_tried", severity="info", summary=f"{name} was not tried: {why}.",
        evidence={"model": name, "why": why},
        advice="Transfer learning is often the deep option that wins on small image sets: "
               "with the weights at hand it is worth a run." if "pretrained" in name else
               "Provide what it needs to include it.",
        outcome=NotTriedOutcome({name: why}),
    ) for name, why in reasons.items()]


def _environment(executor: Executor, device: str) -> dict[str, Any]:
    from importlib.metadata import version

    from dlcheck.executors.base import available_cores

    env = {pkg: version(pkg) for pkg in ("scikit-learn", "lightgbm", "torch", "tabm", "numpy",
                                          "pandas")}
    env.update(cores=available_cores(), workers=executor.n_workers, device=device)
    return env

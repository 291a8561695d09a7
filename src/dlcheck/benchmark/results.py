"""Per-model results from job results: fold scores, intervals and costs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from dlcheck.benchmark.jobs import Job, JobResult
from dlcheck.benchmark.scoring import METRICS, Metric
from dlcheck.benchmark.splits import SplitPlan
from dlcheck.benchmark.stats import corrected_t_interval, goodness_sign
from dlcheck.models.spec import FAMILY_ORDER, ModelSpec

if TYPE_CHECKING:
    from dlcheck.benchmark.variants import TuningRun


@dataclass
class ModelResult:
    name: str
    family: str
    description: str
    metric: str
    fold_ids: list[str]
    fold_scores: list[float]
    mean: float
    ci_low: float
    ci_high: float
    fit_seconds: float
    predict_ms_per_1k: float
    size_bytes: int
    n_params: int
    secondary: dict[str, float]
    train_rows: int
    train_rows_available: int
    notes: list[str] = field(default_factory=list)
    spec: str = ""
    """The ladder model it was built from ('' : its own name)."""
    params: dict[str, Any] = field(default_factory=dict)
    """Hyperparameters over the ladder's defaults (a tuned variant); empty for defaults."""

    fold_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per fold id, hyperparameters that differ from `params` (tuning picks them per fold)."""
    tuned_variant: str = ""
    """The name of this model's tuned variant, which stands for it in comparisons."""
    work: float = 0.0
    """Reference CPU seconds of one fit (mean over folds), from counted work: what choices
    of refits weigh, the same on every machine (JobResult.work)."""
    capped_folds: int = 0
    """Folds on which a network stopped at its epoch cap rather than by early stopping."""
    cut_short_folds: int = 0
    """Folds on which a network's training stopped at the budget's time per fit
    (`deep_seconds_per_fit`) before early stopping."""

    def job(self, fold, **kwargs) -> Job:
        """A job that fits this very model (ladder entry and hyperparameters) on a fold."""
        params = self.fold_params.get(fold.id, self.params)
        kwargs.setdefault("params", tuple(sorted(params.items())))
        kwargs.setdefault("name", self.name)
        return Job(self.spec or self.name, fold, **kwargs)

    @property
    def subsampled(self) -> bool:
        return self.train_rows < self.train_rows_available

    @property
    def is_variant(self) -> bool:
        """Built from another ladder entry with other hyperparameters (a tuned variant)."""
        return bool(self.spec) and self.spec != self.name

    @property
    def simplicity_key(self) -> tuple:
        """The ladder's family first; within a family, smaller and faster is simpler. At equal
        size, the ladder's defaults are simpler than a tuned variant (no search to repeat);
        the name settles exact ties, so a timing never decides between equals."""
        return (FAMILY_ORDER[self.family], self.size_bytes, self.is_variant,
                self.predict_ms_per_1k, self.name)

    def to_dict(self) -> dict:
        out = asdict(self)
        del out["cut_short_folds"]  # told in `notes` ("cut short by the time limit on ...")
        out["subsampled"] = self.subsampled
        return out


@dataclass
class BenchmarkResults:
    task: str
    metric: Metric
    split: SplitPlan
    models: list[ModelResult]
    failures: dict[str, str]
    """Models that failed on some fold, with the first error: they are left out."""
    timed_out: list[str] = field(default_factory=list)
    """The failed models whose failure was a job stopped at `Budget.job_seconds`."""
    undefined_folds: list[str] = field(default_factory=list)
    """Folds where some model's score was undefined (NaN): left out for every model."""
    out_of_fold: dict[str, np.ndarray] = field(default_factory=dict)
    """Per model, its predictions for every row from the fold that held the row out (first
    repeat; NaN for rows no test fold covers, as early periods of time folds)."""
    fold_results: dict[str, dict[str, JobResult]] = field(default_factory=dict)
    """Per model and fold id, its job's result (scores, costs, notes; predictions dropped)."""
    tuning: TuningRun | None = None
    """What the tuned-variants stage did (None: it did not run)."""

    def add_model(self, model: ModelResult, out_of_fold: np.ndarray | None = None) -> None:
        """A model measured after the benchmark on the same folds (a tuned variant)."""
        self.models.append(model)
        if out_of_fold is not None:
            self.out_of_fold[model.name] = out_of_fold

    def get(self, name: str) -> ModelResult:
        return next(m for m in self.models if m.name == name)

    def scores(self, name: str) -> np.ndarray:
        return np.asarray(self.get(name).fold_scores)

    def candidates(self, families: set[str] | None = None) -> list[ModelResult]:
        """The models of these families that can be picked as the best: a tuned variant
        stands for its default."""
        return [m for m in self.models if (families is None or m.family in families)
                and not m.tuned_variant]

    def best(self, families: set[str] | None = None) -> ModelResult | None:
        """The best-scoring candidate of these families."""
        pool = self.candidates(families)
        if not pool:
            return None
        sign = goodness_sign(self.metric.greater_is_better)
        return max(pool, key=lambda m: sign * m.mean)


def aggregate(
    job_results: list[JobResult],
    specs: list[ModelSpec],
    task: str,
    metric_name: str,
    split: SplitPlan,
) -> BenchmarkResults:
    metric = METRICS[metric_name]
    fold_ids = [f.id for f in split.folds]
    models, failures, fold_results, timed_out = [], {}, {}, []
    # A fold any model could not score (NaN) is left out for every model: pairs stay pairs.
    job_results = [r for r in job_results if r.permutation == 0]
    undefined = sorted({r.fold_id for r in job_results
                        if r.ok and r.fraction == 1.0 and not np.isfinite(r.scores[metric_name])})
    fold_ids = [fid for fid in fold_ids if fid not in undefined]
    if not fold_ids:
        from dlcheck.errors import DataError

        raise DataError(f"no test fold could be scored with {metric_name} (e.g. each holds a "
                        "single class): collect more rows of each class, or merge rare classes.")
    for spec in specs:
        mine = {r.fold_id: r for r in job_results if r.model == spec.name and r.fraction == 1.0}
        errors = [r.error for r in mine.values() if not r.ok]
        if errors or len(mine) < len(fold_ids):
            failures[spec.name] = errors[0] if errors else "did not finish on every fold"
            if any("job_time_limit" in r.notes for r in mine.values() if not r.ok):
                timed_out.append(spec.name)
            continue
        models.append(summarize(spec.name, spec.family, spec.description,
                                [mine[fid] for fid in fold_ids], metric, split))
        fold_results[spec.name] = {fid: replace(mine[fid], predictions=None, test_index=None)
                                   for fid in fold_ids}
    n_rows = 1 + max(int(max(f.train.max(), f.test.max())) for f in split.folds)
    oof = {m.name: out_of_fold(job_results, m.name, n_rows) for m in models}
    return BenchmarkResults(task, metric, split, models, failures, timed_out, undefined, oof,
                            fold_results)


def summarize(name: str, family: str, description: str, ordered: list[JobResult],
              metric: Metric, split: SplitPlan, spec: str = "",
              params: dict[str, Any] | None = None) -> ModelResult:
    """One model's result from its jobs, one per fold in the order of the plan's fold ids."""
    scores = np.array([r.scores[metric.name] for r in ordered])
    interval = corrected_t_interval(scores, split.test_train_ratio)
    notes = sorted({n.split(":")[0] for r in ordered for n in r.notes})
    return ModelResult(
        name=name, family=family, description=description,
        metric=metric.name, fold_ids=[r.fold_id for r in ordered], fold_scores=scores.tolist(),
        mean=interval.mean,
        ci_low=max(interval.ci_low, metric.lower),
        ci_high=min(interval.ci_high, metric.upper),
        fit_seconds=float(np.mean([r.fit_seconds for r in ordered])),
        predict_ms_per_1k=float(np.median([r.predict_ms_per_1k for r in ordered])),
        size_bytes=int(np.median([r.size_bytes for r in ordered])),
        n_params=int(np.median([r.n_params for r in ordered])),
        secondary={k: float(np.mean([r.scores[k] for r in ordered])) for k in ordered[0].scores},
        train_rows=max(r.n_train_rows for r in ordered),
        train_rows_available=max(r.n_train_available for r in ordered),
        notes=_describe_notes(ordered, notes), spec=spec, params=dict(params or {}),
        work=float(np.mean([r.work for r in ordered])),
        capped_folds=sum(r.stopped_by == "max_epochs" for r in ordered),
        cut_short_folds=sum(r.stopped_by == "time_limit" for r in ordered),
    )


def out_of_fold(job_results: list[JobResult], model: str, n_rows: int) -> np.ndarray:
    """A model's out-of-fold predictions (first repeat) from its jobs."""
    mine = [r for r in job_results if r.model == model and r.repeat == 0 and r.fraction == 1.0
            and r.predictions is not None]
    if not mine:
        return np.full((n_rows, 1), np.nan)
    width = 1 if mine[0].predictions.ndim == 1 else mine[0].predictions.shape[1]
    oof = np.full((n_rows, width), np.nan)
    for r in mine:
        oof[r.test_index] = r.predictions.reshape(len(r.test_index), width)
    return oof


def _describe_notes(results: list[JobResult], kinds: list[str]) -> list[str]:
    out = []
    for kind in kinds:
        count = sum(any(n.startswith(kind) for n in r.notes) for r in results)
        if kind == "time_limit":
            out.append(f"cut short by the time limit on {count} of {len(results)} folds")
        elif kind == "max_epochs":
            out.append(f"used its whole training budget on {count} of {len(results)} folds")
        elif kind == "early_stopping":
            out.append(f"early stopping on {count} of {len(results)} folds")
        else:
            out.append(kind)
    return out

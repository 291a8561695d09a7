"""Too little data? Learning curves of the linear, best classical and best deep models, an
inverse power law fitted to each, and where the deep curve would cross the classical one.

A model the budget trains on a subsample (`Budget.max_rows_slow`) is measured on fractions of
the rows it saw, and its curve is also projected to every training row of the fold: what the
full data would give it, next to the models that saw it all."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
from scipy.optimize import curve_fit

from dlcheck.benchmark.compare import CLASSICAL, resolve_min_gain
from dlcheck.benchmark.stats import goodness_sign
from dlcheck.checks.base import ANY_KIND, CheckContext, NotApplicable
from dlcheck.checks.outcomes import LearningCurveOutcome
from dlcheck.findings import Finding, rounded


def power_law(n: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    """Goodness (a score, or minus a loss) after n training rows: it rises towards a."""
    return a - b * np.power(n, -c)


@dataclass(frozen=True)
class LearningCurves:
    code: ClassVar[str] = "learning_curves"
    title: ClassVar[str] = "Too little data: learning curves"
    kinds: ClassVar[frozenset[str]] = ANY_KIND
    fractions: tuple[float, ...] = (0.1, 0.18, 0.32, 0.56)
    """Shares of each training fold, log-spaced; the full fold comes from the benchmark."""
    horizon: float = 10.0
    """How far (x today's rows) a crossing is looked for: five points over one decade of
    rows support no longer extrapolation."""
    n_bootstrap: int = 200
    """Resamples of the folds (the same for every curve, so the crossing's interval is paired)
    behind the projections' bands and the crossing's interval."""

    def run(self, context: CheckContext) -> list[Finding]:
        results = context.results
        if context.run_jobs is None:
            raise NotApplicable("no executor to fit models on fractions of the data")
        deep, classical = results.best({"deep"}), results.best(CLASSICAL)
        linear = next((m for m in results.models if m.family == "linear"), None)
        models = list(dict.fromkeys(m.name for m in (linear, classical, deep) if m))
        if not models:
            raise NotApplicable("no model to draw a curve for")
        folds = results.split.first_repeat
        jobs = [self._job(results.get(name), fold, fr) for name in models
                for fr in self.fractions for fold in folds]
        done = [r for r in context.run_jobs(jobs) if r.ok]
        metric = results.metric
        sign = goodness_sign(metric.greater_is_better)
        # The best reachable goodness: AUC 1, RMSE 0. Curves must not promise more.
        ceiling = metric.upper if metric.greater_is_better else -metric.lower
        rng = np.random.default_rng(context.seed)
        n_full = float(np.mean([len(f.train) for f in folds]))
        resamples = [rng.choice(len(folds), len(folds), replace=True)
                     for _ in range(self.n_bootstrap)]
        curves, boots = [], {}
        for name in models:
            model = results.get(name)
            # A subsampled model is also projected to all the training rows it did not see.
            targets = np.array(([n_full] if model.subsampled else []) + [2 * n_full,
                                                                          10 * n_full])
            # rows -> per-fold scores, the full-data point from the benchmark itself
            per_fold = {fold.id: [] for fold in folds}
            for r in done:
                if r.model == name:
                    per_fold[r.fold_id].append((r.n_train_rows, r.scores[metric.name]))
            # Each fold's own training rows: time folds train on growing pasts.
            own_rows = {fid: r.n_train_rows for fid, r in
                        results.fold_results.get(name, {}).items() if r.n_train_rows}
            for fid, score in zip(model.fold_ids, model.fold_scores, strict=True):
                if fid in per_fold:
                    per_fold[fid].append((own_rows.get(fid, model.train_rows), score))
            curve, boots[name] = self._curve(name, per_fold, sign, ceiling, targets, resamples)
            curve["family"] = model.family
            curve["rows_seen"] = model.train_rows
            curve["subsampled"] = model.subsampled
            curves.append(curve)
        worthwhile = resolve_min_gain(results, context.min_gain, classical).value
        crossing = self._crossing(curves, boots, classical, deep, n_full, worthwhile)
        finding = self._finding(curves, crossing, metric.name, n_full, classical, deep)
        return [replace(finding, outcome=LearningCurveOutcome(curves=curves, crossing=crossing))]

    @staticmethod
    def _job(model, fold, fraction: float):
        """A job on `fraction` of the rows the model trains on in this fold: of the fold's
        training rows, or of its subsample when the budget caps it (a share of the whole fold
        would only give the cap again)."""
        if model.subsampled:
            fraction *= min(1.0, model.train_rows / len(fold.train))
        return model.job(fold, fraction=fraction)

    def _curve(self, name, per_fold, sign, ceiling, targets, resamples) \
            -> tuple[dict, list]:
        """The curve's points, fit and projections, and the fit on each resample of the folds
        (None where it failed)."""
        table = np.array([pt for pts in per_fold.values() for pt in pts])
        rows = np.unique(table[:, 0])
        means = np.array([table[table[:, 0] == n, 1].mean() for n in rows])
        params = _fit(rows, sign * means, ceiling)
        projected, low, high = [None] * len(targets), [None] * len(targets), [None] * len(targets)
        fits: list = []
        if params is not None:
            projected = (sign * power_law(targets, *params)).tolist()
            fold_ids = list(per_fold)
            # A resample is a multiset of folds: 5 folds allow only 126 distinct ones (3 folds
            # 10), so each is fitted once, whatever the number of resamples.
            cache: dict[tuple, object] = {}
            for sample in resamples:
                key = tuple(sorted(sample))
                if key not in cache:
                    points = np.array([pt for i in key for pt in per_fold[fold_ids[i]]])
                    boot_rows = np.array([n for n in rows if (points[:, 0] == n).any()])
                    boot_means = np.array([points[points[:, 0] == n, 1].mean()
                                           for n in boot_rows])
                    cache[key] = _fit(boot_rows, sign * boot_means, ceiling)
                fits.append(cache[key])
            boots = [sign * power_law(targets, *f) for f in fits if f is not None]
            if boots:
                low = np.percentile(boots, 2.5, axis=0).tolist()
                high = np.percentile(boots, 97.5, axis=0).tolist()
        curve = {"model": name, "train_rows": rows.tolist(), "scores": means.tolist(),
                 "fit": None if params is None else dict(zip("abc", map(float, params),
                                                             strict=True)),
                 "projection_rows": targets.tolist(), "projected": projected,
                 "projected_low": low, "projected_high": high}
        return curve, fits

    def _crossing(self, curves, boots, classical, deep, n_full, min_gain) -> dict:
        """Where the deep curve leads the classical one by the minimum gain, within
        `horizon` x today's rows, with a paired bootstrap interval of that row count;
        'undetermined' when the interval is open-ended (some resamples never cross)."""
        by_name = {c["model"]: c for c in curves}
        if classical is None or deep is None:
            return {"status": "no deep or no classical model"}
        c_fit, d_fit = by_name[classical.name]["fit"], by_name[deep.name]["fit"]
        if c_fit is None or d_fit is None:
            return {"status": "a curve could not be fitted"}
        grid = n_full * np.logspace(0, np.log10(self.horizon), 200)
        base = {"horizon": self.horizon, "min_gain": min_gain}

        def first_lead(d_params, c_params) -> float:
            gap = power_law(grid, *d_params) - power_law(grid, *c_params)
            hits = np.flatnonzero(gap > min_gain)
            return float(grid[hits[0]]) if len(hits) else float("inf")

        point = first_lead(tuple(d_fit.values()), tuple(c_fit.values()))
        gap_today = float(power_law(n_full, **d_fit) - power_law(n_full, **c_fit))
        paired = [first_lead(d, c) for d, c in zip(boots[deep.name], boots[classical.name],
                                                    strict=True)
                  if d is not None and c is not None]
        share = float(np.mean(np.isfinite(paired))) if paired else 0.0
        base.update(gap_today=gap_today, share_of_resamples_crossing=share,
                    resamples=len(paired))
        if point == grid[0]:
            return {"status": "deep already ahead", "rows": float(n_full), **base}
        if not np.isfinite(point):
            # No crossing only when (nearly) no resample crosses either: else undetermined.
            status = "no crossing" if share <= 0.025 else "undetermined"
            return {"status": status, "rows": None, **base}
        # No interpolation: a resample that never crosses is an infinite row count.
        low, high = (np.quantile(paired, [0.025, 0.975], method="inverted_cdf") if paired
                     else (float("nan"), float("inf")))
        crossing = {"rows": point, "times_today": point / n_full,
                    "rows_low": float(low) if np.isfinite(low) else None,
                    "rows_high": float(high) if np.isfinite(high) else None, **base}
        status = "crosses" if np.isfinite(high) else "undetermined"
        return {"status": status, **crossing}

    def _finding(self, curves, crossing, metric, n_full, classical, deep) -> Finding:
        projections = "; ".join(_projection_text(c, n_full) for c in curves
                                if c["projected"][-1] is not None)
        subsampled = {c["model"]: _at_all_rows(c, n_full) for c in curves if c["subsampled"]}
        deep_sub = deep is not None and deep.name in subsampled
        if deep_sub:
            crossing["deep_rows_seen"] = subsampled[deep.name]["rows_seen"]
        status = crossing["status"]
        if status == "deep already ahead" and deep_sub:
            headline = (f"Trained on all {n_full:,.0f} training rows instead of the "
                        f"{deep.train_rows:,} it saw, the deep model ({deep.name}) is "
                        f"projected to lead {classical.name} by more than the minimum "
                        "worthwhile gain.")
            advice = ("Measure it on more rows before deciding: a larger --budget trains "
                      "slow models on bigger subsamples.")
        elif status == "crosses":
            headline = (f"The deep curve ({deep.name}) is projected to lead {classical.name} by "
                        f"the minimum worthwhile gain at about {crossing['rows']:,.0f} training "
                        f"rows (95% interval {crossing['rows_low']:,.0f} to "
                        f"{crossing['rows_high']:,.0f}), {crossing['times_today']:.1f}x "
                        "today's.")
            advice = (f"Collect about {crossing['rows'] * 1.25:,.0f} rows (training plus test) "
                      "before trying deep learning again; projections are rough.")
        elif status == "undetermined":
            share = crossing["share_of_resamples_crossing"]
            where = (f"the fitted curves cross at about {crossing['rows']:,.0f} training rows, "
                     f"but {1 - share:.0%} of resamples of the folds do not cross"
                     if crossing.get("rows") else
                     f"the fitted curves do not cross, but {share:.0%} of resamples of the "
                     "folds do")
            headline = (f"Whether the deep curve ({deep.name}) would lead {classical.name} by "
                        f"the minimum worthwhile gain with more data is undetermined: {where} "
                        f"within {self.horizon:g}x today's rows.")
            advice = "Measure again with more rows before planning on either side."
        elif status == "deep already ahead":
            headline = (f"On the fitted curves, the deep model ({deep.name}) already leads "
                        f"{classical.name} by more than the minimum worthwhile gain at today's "
                        "size.")
            advice = ("The verdict rests on the measured comparison, not on the curves; "
                      "more data is projected to keep the deep model ahead.")
        elif status == "no crossing":
            headline = (f"The deep curve does not lead the classical one by the minimum "
                        f"worthwhile gain within {self.horizon:g}x the data.")
            advice = "More data of the same kind is unlikely to change the verdict."
        else:
            headline = f"The curves could not be extrapolated: {status}."
            advice = "Compare the measured points of the curves instead of projections."
        summary = headline + (f" Projected {metric}: {projections}." if projections else "")
        evidence = {"metric": metric, "train_rows_today": round(n_full), "crossing": crossing,
                    "curves": curves}
        if subsampled:
            evidence["subsampled_models"] = subsampled
            stretch = max(n_full / v["rows_seen"] for v in subsampled.values())
            advice += (f" Curves of models trained on a subsample are stretched up to "
                       f"{stretch:.0f}x past the rows they saw to reach all the rows: a rough "
                       "guide, which assumes they keep learning as they did.")
        return Finding(self.code, "info", summary, evidence, advice)


def _projection_text(curve: dict, n_full: float) -> str:
    """'model: score now, projections' for the finding's summary."""
    at_2x, at_10x = curve["projected"][-2], curve["projected"][-1]
    later = f"{at_2x:.3f} at 2x and {at_10x:.3f} at 10x the rows"
    if not curve["subsampled"]:
        return f"{curve['model']}: {curve['scores'][-1]:.3f} now, {later}"
    full = _at_all_rows(curve, n_full)
    if full["projected"] is None:
        return f"{curve['model']}: {curve['scores'][-1]:.3f} now, {later}"
    band = (f" (95% band {full['projected_low']:.3f} to {full['projected_high']:.3f})"
            if full["projected_low"] is not None else "")
    return (f"{curve['model']}: {curve['scores'][-1]:.3f} on the {full['rows_seen']:,} "
            f"training rows it saw, {full['projected']:.3f}{band} projected on all "
            f"{full['train_rows']:,}, {later}")


def _at_all_rows(curve: dict, n_full: float) -> dict:
    """The rows a subsampled model saw and its projection to all the training rows."""
    return {"rows_seen": int(curve["rows_seen"]), "train_rows": round(n_full),
            "projected": rounded(curve["projected"][0]),
            "projected_low": rounded(curve["projected_low"][0]),
            "projected_high": rounded(curve["projected_high"][0])}


def _fit(rows: np.ndarray, goodness: np.ndarray, ceiling: float = np.inf):
    """(a, b, c) of the power law, its asymptote a at most `ceiling`, or None when the points
    cannot support one."""
    if len(rows) < 3:
        return None
    span = float(goodness.max() - goodness.min()) or 1e-6
    start = min(float(goodness.max()) + 0.1 * span, ceiling - 1e-9)
    p0 = (start, span * float(rows.min()) ** 0.5, 0.5)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            params, _ = curve_fit(power_law, rows, goodness, p0=p0, maxfev=5000,
                                  bounds=([-np.inf, 0.0, 0.01], [ceiling, np.inf, 2.0]))
    except (RuntimeError, ValueError):
        return None
    return params

"""What kind of table this is: the meta-features that published benchmarks link to trees
beating networks, measured on the user's table, as a prior that the benchmark then confirms or
overturns.

The literature (Grinsztajn, Oyallon & Varoquaux, 2022, "Why do tree-based models still
outperform deep learning on tabular data?"; McElfresh et al., 2023, "When do neural nets
outperform boosted trees on tabular data?"; Shwartz-Ziv & Armon, 2022, "Tabular data: deep
learning is not all you need") documents mostly what makes trees win: uninformative features,
skewed or heavy-tailed features, irregular targets, categorical columns, modest row counts. Only a
smooth target is linked to networks doing as well or better (networks are biased towards smooth
functions). So `neutral` means "no handicap for networks here", not "networks win". Such
meta-features explain part of the trees/networks gap across many tables, not the outcome on one:
this check never changes the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.preprocessing import SplineTransformer

from dlcheck.checks.base import TABLES, CheckContext
from dlcheck.findings import Finding, rounded

_GRINSZTAJN = "Grinsztajn et al. 2022"
_MCELFRESH = "McElfresh et al. 2023"
_LABELS = {
    "uninformative_share": "uninformative features",
    "skewed_share": "skewed or heavy-tailed numeric features",
    "categorical_share": "categorical features",
    "training_rows": "training rows per fold",
    "rows_per_feature": "training rows per feature",
    "target_irregularity": "target irregularity",
}


@dataclass(frozen=True)
class MetaFeatures:
    """Six meta-features, each with its value, threshold and what it suggests (trees, networks
    or neutral), and a tally; computed on a seeded subsample of the prepared table without
    fitting any benchmark model (under a second on 100,000 x 50).

    - uninformative features: no dependence on the target beyond what shuffled targets show
      (marginal: a feature useful only in interaction with another counts as uninformative);
    - skewed or heavy-tailed numeric features (0/1 flags aside);
    - categorical features (and high-cardinality ones, reported);
    - training rows per fold, and per feature (the features after preparation);
    - target irregularity: how step-like the target's variation along single features is.
    """

    code: ClassVar[str] = "meta_features"
    title: ClassVar[str] = "What kind of table this is"
    kinds: ClassVar[frozenset[str]] = TABLES
    max_rows: int = 5000
    """Rows sampled (seeded) for the dependence, skewness and shape measures: bounds the cost."""
    max_cells: int = 500_000
    """Rows x features cap for the dependence test: wide tables get fewer rows (at least 1,000)."""
    n_shuffles: int = 99
    """Target shuffles forming each feature's null distribution of its dependence figures."""
    null_quantile: float = 0.95
    """A feature is uninformative when its dependence on the target (mutual information, and
    for most features a rank figure too) is not above this quantile of the same figure on
    shuffled targets (with two figures, each is held to half the error rate)."""
    n_bins: int = 10
    """Quantile bins of numeric features (and of a regression target) for mutual information;
    missing values get a bin of their own, categories keep their 19 most frequent levels."""
    uninformative_share_trees: float = 0.25
    """Share of uninformative features from which the table points to trees."""
    skewness: float = 1.0
    """|skewness| above which a numeric feature counts as skewed ('highly skewed', Bulmer)."""
    excess_kurtosis: float = 3.0
    """Excess kurtosis above which it counts as heavy-tailed (Laplace tails are 3)."""
    skewed_share_trees: float = 0.25
    """Share of skewed or heavy-tailed numeric features from which the table points to trees."""
    categorical_share_trees: float = 0.25
    """Share of categorical features from which the table points to trees."""
    high_cardinality: int = 50
    """Levels above which a categorical feature is reported as high-cardinality."""
    rows_trees: int = 10_000
    """Training rows per fold below which the table points to trees: Grinsztajn et al.'s
    'medium-sized' benchmark (about 10,000 rows), where trees stayed ahead."""
    rows_per_feature_trees: float = 100.0
    """Training rows per feature below which the table points to trees."""
    shape_bins: int = 20
    """Quantile bins of the piecewise-constant fit in the target-irregularity measure."""
    spline_knots: int = 5
    """Knots of the smooth fit (a cubic spline) in the target-irregularity measure."""
    irregularity_trees: float = 0.03
    """Irregularity from which the target points to trees (one sharp step per effect reads
    about 0.05; smooth effects read under 0.01)."""
    irregularity_networks: float = 0.01
    """Irregularity at or below which the target points to networks."""
    min_marginal_signal: float = 0.01
    """Share of the target's variance that the one-feature fits must explain, together, for
    the shape of the effects to be judged."""
    max_shape_features: int = 50
    """Informative numeric features (by mutual information) whose effect's shape is measured."""

    def run(self, context: CheckContext) -> list[Finding]:
        prepared = context.dataset
        X, y = prepared.X, prepared.y
        classification = prepared.task != "regression"
        rng = np.random.default_rng(context.seed)
        n_features = X.shape[1]
        n_sample = min(prepared.n_rows, self.max_rows,
                       max(1000, self.max_cells // max(n_features, 1)))
        rows = np.sort(rng.choice(prepared.n_rows, n_sample, replace=False)) \
            if n_sample < prepared.n_rows else np.arange(prepared.n_rows)
        Xs, ys = X.iloc[rows].reset_index(drop=True), y[rows]

        mi, informative = self._dependence(Xs, ys, prepared.categorical_columns,
                                           classification, rng)
        uninformative = [c for c in X.columns if not informative[c]]
        skew = self._skewness(Xs, prepared.numeric_columns)
        skewed = [c for c, s in skew.items() if s["skewed"]]
        by_information = sorted((c for c in prepared.numeric_columns if informative[c]),
                                key=lambda c: -mi[c])
        irregularity, irregularity_se, shape = self._irregularity(
            Xs, ys, by_information[:self.max_shape_features], classification)
        train_rows = int(np.median([len(f.train) for f in context.results.split.first_repeat]))
        levels = {c: int(X[c].nunique()) for c in prepared.categorical_columns}
        high_card = [c for c, k in levels.items() if k > self.high_cardinality]

        metas = {
            "uninformative_share": self._judge_share(
                len(uninformative) / n_features, self.uninformative_share_trees,
                "MLP-like networks lose accuracy as uninformative features are added, trees "
                f"ignore them ({_GRINSZTAJN})",
                "few uninformative features: the networks' handicap from them is small "
                f"({_GRINSZTAJN})"),
            "skewed_share": self._judge_share(
                len(skewed) / len(skew) if skew else None, self.skewed_share_trees,
                "boosted trees handle skewed and heavy-tailed features much better than "
                f"networks ({_MCELFRESH})",
                "feature distributions are regular: no handicap for networks "
                f"({_MCELFRESH})", none="no numeric feature with more than 2 values"),
            "categorical_share": self._judge_share(
                len(prepared.categorical_columns) / n_features, self.categorical_share_trees,
                "trees split on categories directly, networks need codes or embeddings; trees "
                f"led on the benchmark with categorical features ({_GRINSZTAJN})",
                "mostly numeric features: the setting networks handle best "
                f"({_GRINSZTAJN})"),
            "training_rows": self._judge_below(
                train_rows, self.rows_trees,
                "on medium-sized tables (about 10,000 rows) trees remain state of the art "
                f"({_GRINSZTAJN}; Shwartz-Ziv & Armon 2022)",
                "beyond the medium-sized regime the gap narrows as networks get more data "
                f"({_GRINSZTAJN}, large-sized benchmark)"),
            "rows_per_feature": self._judge_below(
                train_rows / n_features, self.rows_per_feature_trees,
                "few rows per feature: a network's input layer grows with the features and "
                "overfits where trees pick a few (dataset size and its ratio to the number of "
                f"features are among the meta-features {_MCELFRESH} relate to the gap)",
                f"enough rows per feature for a network's input layer ({_MCELFRESH})"),
            "target_irregularity": self._judge_irregularity(irregularity, irregularity_se),
        }
        tally = {s: sum(m["suggests"] == s for m in metas.values())
                 for s in ("trees", "networks", "neutral")}
        evidence: dict[str, Any] = {
            "meta_features": metas,
            "tally": tally,
            "uninformative_columns": uninformative[:20],
            "skewed_columns": skewed[:20],
            "high_cardinality_columns": high_card[:20],
            "categorical_levels": dict(list(levels.items())[:20]),
            "rows": prepared.n_rows,
            "features": n_features,
            "sampled_rows": n_sample,
            "mutual_information": {c: rounded(v) for c, v in sorted(mi.items(),
                                                                key=lambda kv: -kv[1])[:20]},
            "irregularity_by_feature": dict(list(shape.items())[:20]),
        }
        if classification:
            evidence["smallest_class_rows"] = int(np.bincount(y).min())
        return [Finding(self.code, "info", self._summary(metas, tally, uninformative, skewed),
                        evidence, self._advice(metas))]

    # ---- measures ---------------------------------------------------------------------------

    def _dependence(self, X: pd.DataFrame, y: np.ndarray, categorical: list[str],
                    classification: bool, rng: np.random.Generator):
        """Each feature's mutual information (nats) with the target, and whether the feature
        is informative: its dependence on the target is above the `null_quantile` of the same
        figure for shuffled targets.

        Two dependence figures, each against its own null (so each at half the error rate):
        mutual information of binned values, which sees any shape, and a rank figure, which
        sees weak monotone effects that binning dilutes (squared Spearman correlation for a
        numeric feature and a numeric target; otherwise the share of one side's rank variance
        between the groups of the other, as in Kruskal-Wallis; categories against classes get
        mutual information only)."""
        target = y.astype(np.int64) if classification else _quantile_codes(y, self.n_bins)
        n_target = int(target.max()) + 1
        is_cat = np.array([c in categorical for c in X.columns])
        codes = np.column_stack([
            _category_codes(X[c], 2 * self.n_bins - 1) if c in categorical
            else _quantile_codes(X[c].to_numpy(dtype=float), self.n_bins) for c in X.columns])
        n_levels = int(codes.max()) + 1
        offsets = np.arange(codes.shape[1]) * n_levels * n_target
        cells = codes * n_target + offsets
        ranks = np.column_stack([_centred_ranks(X[c].to_numpy(dtype=float)) if not cat
                                 else np.zeros(len(X))
                                 for c, cat in zip(X.columns, is_cat, strict=True)])
        ranks_ss = np.maximum((ranks ** 2).sum(axis=0), 1e-12)
        y_ranks = None if classification else _ranks(y) - 0.5

        def information(order: np.ndarray) -> np.ndarray:
            joint = np.bincount((cells + target[order][:, None]).ravel(),
                                minlength=len(offsets) * n_levels * n_target)
            return _mutual_information(joint.reshape(len(offsets), n_levels, n_target))

        def rank_dependence(order: np.ndarray) -> np.ndarray:
            out = np.zeros(len(offsets))
            if classification:
                onehot = np.eye(n_target)[target[order]]
                sums = ranks.T @ onehot
                out[~is_cat] = ((sums ** 2 / np.maximum(onehot.sum(axis=0), 1)).sum(axis=1)
                                / ranks_ss)[~is_cat]
                return out
            yr = y_ranks[order]
            yy = max(float((yr ** 2).sum()), 1e-12)
            out[~is_cat] = ((ranks.T @ yr) ** 2 / (ranks_ss * yy))[~is_cat]
            for j in np.flatnonzero(is_cat):
                sums = np.bincount(codes[:, j], yr, n_levels)
                counts = np.maximum(np.bincount(codes[:, j], minlength=n_levels), 1)
                out[j] = (sums ** 2 / counts).sum() / yy
            return out

        identity = np.arange(len(target))
        orders = [rng.permutation(len(target)) for _ in range(self.n_shuffles)]
        mi = information(identity)
        mi_null = np.stack([information(o) for o in orders])
        rank = rank_dependence(identity)
        rank_null = np.stack([rank_dependence(o) for o in orders])
        two_tests = ~is_cat | (not classification)
        level = np.where(two_tests, 1 - (1 - self.null_quantile) / 2, self.null_quantile)
        mi_cut = np.array([np.quantile(mi_null[:, j], level[j]) for j in range(len(level))])
        rank_cut = np.array([np.quantile(rank_null[:, j], level[j]) for j in range(len(level))])
        informative = (mi > mi_cut + 1e-12) | (two_tests & (rank > rank_cut + 1e-12))
        return (dict(zip(X.columns, mi.tolist(), strict=True)),
                dict(zip(X.columns, informative.tolist(), strict=True)))

    def _skewness(self, X: pd.DataFrame, numeric: list[str]) -> dict[str, dict]:
        """Sample skewness and excess kurtosis of each numeric feature with more than two
        values, missing values left out."""
        out = {}
        for c in numeric:
            v = X[c].to_numpy(dtype=float)
            v = v[np.isfinite(v)]
            if len(v) < 3 or len(np.unique(v)) <= 2:  # a 0/1 flag's skew is its rarity
                continue
            z = (v - v.mean()) / v.std()
            skew, kurt = float(np.mean(z ** 3)), float(np.mean(z ** 4) - 3.0)
            out[c] = {"skewed": abs(skew) > self.skewness or kurt > self.excess_kurtosis,
                      "skewness": skew, "excess_kurtosis": kurt}
        return out

    def _irregularity(self, X: pd.DataFrame, y: np.ndarray, numeric: list[str],
                      classification: bool) -> tuple[float | None, float | None, dict]:
        """The share of the target's variation along each informative numeric feature that a
        piecewise-constant fit (quantile bins) adds to a smooth one (a cubic spline), with the
        bins' extra degrees of freedom paid for (adjusted like R²), pooled over features:
        0 when every effect follows a smooth curve; a single sharp step per feature reads
        about 0.05, jagged effects higher. Effects of interactions are not seen. Returns the
        value, its standard error (from the noise left by the fits) and the value per
        feature."""
        if classification:
            targets = np.eye(int(y.max()) + 1)[y]
            targets = targets[:, 1:] if targets.shape[1] == 2 else targets
        else:
            targets = (_ranks(y) - 0.5)[:, None]
        gains = explainable = total = variance = 0.0
        shape: dict[str, float | None] = {}
        for c in numeric:
            x = X[c].to_numpy(dtype=float)
            ok = np.isfinite(x)
            if len(np.unique(x[ok])) <= self.shape_bins or ok.sum() < 5 * self.shape_bins:
                continue
            gain, signal, sst, var = self._step_gain(_ranks(x[ok]), targets[ok])
            gains, explainable, total = gains + gain, explainable + signal, total + sst
            variance += var
            shape[c] = rounded(min(max(gain / signal, 0.0), 1.0)) if signal > 0 else None
        if not shape or explainable <= self.min_marginal_signal * total:
            return None, None, shape
        return (min(max(gains / explainable, 0.0), 1.0), float(np.sqrt(variance)) / explainable,
                shape)

    def _step_gain(self, u: np.ndarray, t: np.ndarray) -> tuple[float, float, float, float]:
        """Of `t` along `u` (ranks in (0, 1)): the squared error that bins remove beyond a cubic
        spline, less what their extra parameters would remove from noise alone, and that
        figure's variance when the effect is smooth; the variation the two fits together
        explain (adjusted the same way); and the total."""
        spline = SplineTransformer(n_knots=self.spline_knots, degree=3,
                                   extrapolation="linear").fit_transform(u[:, None])
        bins = np.eye(self.shape_bins)[np.minimum((u * self.shape_bins).astype(int),
                                                   self.shape_bins - 1)]
        both = np.hstack([spline, bins])
        gram, cross, tt = both.T @ both, both.T @ t, float((t ** 2).sum())
        k = spline.shape[1]
        sse_spline, rank_spline = _least_squares(gram[:k, :k], cross[:k], tt)
        sse_both, rank_both = _least_squares(gram, cross, tt)
        sst = float(((t - t.mean(axis=0)) ** 2).sum())
        noise = sse_both / max(len(u) - rank_both, 1)  # per parameter, over target columns
        extra = rank_both - rank_spline
        gain = sse_spline - sse_both - extra * noise
        signal = sst - sse_both - (rank_both - 1) * noise
        return gain, max(signal, 0.0), sst, 2.0 * extra * noise ** 2

    # ---- judgement --------------------------------------------------------------------------

    @staticmethod
    def _judge_share(value: float | None, threshold: float, why_trees: str, why_neutral: str,
                     none: str = "") -> dict:
        if value is None:
            return {"value": None, "threshold": threshold, "rule": f">= {threshold:g}: trees",
                    "suggests": "neutral", "why": f"not measured: {none}"}
        trees = value >= threshold
        return {"value": rounded(value), "threshold": threshold, "rule": f">= {threshold:g}: trees",
                "suggests": "trees" if trees else "neutral",
                "why": why_trees if trees else why_neutral}

    @staticmethod
    def _judge_below(value: float, threshold: float, why_trees: str, why_neutral: str) -> dict:
        trees = value < threshold
        return {"value": rounded(value), "threshold": threshold, "rule": f"< {threshold:g}: trees",
                "suggests": "trees" if trees else "neutral",
                "why": why_trees if trees else why_neutral}

    def _judge_irregularity(self, value: float | None, se: float | None) -> dict:
        out = {"value": rounded(value), "threshold": self.irregularity_trees,
               "standard_error": rounded(se),
               "rule": f">= {self.irregularity_trees:g} (and 2 standard errors above 0): trees; "
                       f"<= {self.irregularity_networks:g} (and 2 standard errors below "
                       f"{self.irregularity_trees:g}): networks"}
        if value is None or se is None:
            return {**out, "suggests": "neutral",
                    "why": "not measured: no informative numeric feature with enough distinct "
                           "values, or too little signal along single features"}
        if value >= self.irregularity_trees and value >= 2 * se:
            return {**out, "suggests": "trees",
                    "why": "the target moves in steps along its features: networks are biased "
                           f"towards smooth functions, trees fit steps ({_GRINSZTAJN})"}
        if value <= self.irregularity_networks and value + 2 * se < self.irregularity_trees:
            return {**out, "suggests": "networks",
                    "why": "the target varies smoothly along its features, where the networks' "
                           f"bias towards smooth functions costs nothing ({_GRINSZTAJN})"}
        return {**out, "suggests": "neutral",
                "why": "between smooth and step-like, or measured too imprecisely to say "
                       f"({_GRINSZTAJN})"}

    @staticmethod
    def _summary(metas: dict, tally: dict, uninformative: list[str], skewed: list[str]) -> str:
        def shown(name: str, value: float | None) -> str:
            if value is None:
                return "not measured"
            if name == "training_rows":
                return f"{value:,.0f}"
            if name == "rows_per_feature":
                return f"{value:,.1f}"
            if name == "target_irregularity":
                return f"{value:.3f}"
            return f"{value:.0%}"

        body = "; ".join(f"{_LABELS[name]} {shown(name, m['value'])} ({m['suggests']})"
                         for name, m in metas.items())
        text = (f"A prior, not the verdict: {tally['trees']} of {len(metas)} meta-features point "
                f"to trees, {tally['networks']} to networks, {tally['neutral']} neutral ({body}).")
        for name, columns, label in (("uninformative_share", uninformative, "Uninformative"),
                                     ("skewed_share", skewed, "Skewed or heavy-tailed")):
            if metas[name]["suggests"] == "trees":
                text += f" {label}: {', '.join(columns[:5])}" \
                        + (" ..." if len(columns) > 5 else "") + "."
        return text + " The benchmark decides."

    @staticmethod
    def _advice(metas: dict) -> str:
        advice = ["Read this as what published benchmarks would expect of a table like yours; "
                  "the model comparison on your own folds is what decides."]
        if metas["uninformative_share"]["suggests"] == "trees":
            advice.append("Dropping the uninformative columns (listed in the evidence) helps "
                          "networks most: run dlcheck again without them to see whether the gap "
                          "closes.")
        if metas["skewed_share"]["suggests"] == "trees":
            advice.append("dlcheck's networks already get quantile-normalised numeric inputs, "
                          "which removes most of the skew; other network pipelines should do "
                          "the same.")
        if metas["target_irregularity"]["suggests"] == "trees":
            advice.append("A step-like target favours trees whatever the table's size.")
        return " ".join(advice)


# ---- helpers --------------------------------------------------------------------------------


def _least_squares(gram: np.ndarray, cross: np.ndarray, tt: float) -> tuple[float, int]:
    """Squared error and rank of the least-squares fit from its normal equations (gram = A'A,
    cross = A'b, tt = b'b), rank-deficient designs included."""
    values, vectors = np.linalg.eigh(gram)
    keep = values > values.max() * 1e-10
    projected = vectors[:, keep].T @ cross
    explained = float((projected ** 2 / values[keep][:, None]).sum())
    return max(tt - explained, 0.0), int(keep.sum())


def _ranks(values: np.ndarray) -> np.ndarray:
    """Mid-ranks scaled into (0, 1)."""
    return (pd.Series(values).rank(method="average").to_numpy() - 0.5) / len(values)


def _centred_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks centred on 0; missing values sit at the centre."""
    ranks = _ranks(values)
    return np.nan_to_num(ranks - np.nanmean(ranks)) if np.isfinite(ranks).any() \
        else np.zeros(len(values))


def _quantile_codes(values: np.ndarray, n_bins: int) -> np.ndarray:
    """Codes 0..n_bins-1 by quantile bin (or by value when there are few values), n_bins for
    missing values."""
    codes = np.full(len(values), n_bins, dtype=np.int64)
    ok = np.isfinite(values)
    if not ok.any():
        return codes
    present = values[ok]
    distinct = np.unique(present)
    if len(distinct) <= n_bins:
        codes[ok] = np.searchsorted(distinct, present)
    else:
        edges = np.unique(np.quantile(present, np.linspace(0, 1, n_bins + 1)[1:-1]))
        codes[ok] = np.searchsorted(edges, present, side="right")
    return codes


def _category_codes(values: pd.Series, max_levels: int) -> np.ndarray:
    """Codes of the most frequent levels; the rest share one code, missing values another."""
    top = values.value_counts().index[:max_levels]
    mapping = {level: i for i, level in enumerate(top)}
    codes = values.map(mapping)
    codes = codes.where(values.isna() | codes.notna(), max_levels)
    return codes.fillna(max_levels + 1).to_numpy(dtype=np.int64)


def _mutual_information(joint: np.ndarray) -> np.ndarray:
    """Plug-in mutual information (nats) of each (levels x target) contingency table."""
    n = joint.sum(axis=(1, 2), keepdims=True)
    px = joint.sum(axis=2, keepdims=True)
    py = joint.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(joint > 0, joint * np.log(joint * n / (px * py)), 0.0)
    return terms.sum(axis=(1, 2)) / n[:, 0, 0]

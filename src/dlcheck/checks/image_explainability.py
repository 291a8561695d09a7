"""Black boxes, for images (the `explainability` check on image data): occlusion maps of the
best classical and the best deep model on the same test images, side by side
(`dlcheck.probes.image_explain`), and how much the two agree on where the evidence lies."""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

from dlcheck.checks.base import CheckContext, NotApplicable
from dlcheck.findings import Finding, rounded
from dlcheck.probes import probe_hook

PROBE = "image_explain"
IMAGE_FOLDS = 1
"""Folds whose test images are explained (maps of one fold's images, side by side)."""


def image_explanation_findings(check, context: CheckContext, roles: dict[str, list[str]]) \
        -> list[Finding]:
    from dlcheck.data.images.dataset import png_data_uri

    results = context.results
    names = [n for n, r in roles.items() if "best classical" in r or "best deep" in r]
    if not names:
        raise NotApplicable("no classical or deep model to explain")
    fold = results.split.probe_folds(IMAGE_FOLDS)[0]
    done = context.run_jobs([results.get(n).job(fold, after_fit=probe_hook(PROBE))
                             for n in names])
    figures = {r.model: r.extras[PROBE] for r in done if r.ok and PROBE in r.extras}
    if not figures:
        raise RuntimeError(f"the refits to explain failed: {[r.error for r in done]}")
    dataset = context.dataset
    first = next(iter(figures.values()))
    examples = []
    for k, row in enumerate(first["rows"]):
        position = int(fold.test[row])
        example = {"label": dataset.classes[first["labels"][k]],
                   "image": png_data_uri(dataset.pixels[position])}
        for name, fig in figures.items():
            example[f"{name} map"] = png_data_uri(_heatmap(np.asarray(fig["maps"][k])))
        examples.append(example)
    agreement = None
    if len(figures) == 2:
        a, b = (np.asarray(fig["maps"]) for fig in figures.values())
        rhos = [spearmanr(x.ravel(), y.ravel()).statistic for x, y in zip(a, b, strict=True)]
        agreement = rounded(float(np.nanmean(rhos)))
    described = ", ".join(f"{n} ({' and '.join(roles[n])}; {figures[n]['centre_share']:.0%} "
                          "of its evidence in the central quarter)" for n in figures)
    summary = (f"Where the models look, by occlusion on {len(examples)} test images of fold "
               f"{fold.id}: {described}.")
    if agreement is not None:
        summary += (f" Their maps agree with a rank correlation of {agreement:.2f}"
                    + (": they rely on the same regions." if agreement >= 0.5 else
                       ": they rely on different regions."))
    evidence = {"method": "occlusion: a square of about a seventh of the side set to the "
                "image's mean slides over it; a bright pixel means covering it lowers the "
                "probability of the image's true class the most (the same class for every "
                "model)",
                "fold": fold.id, "models": {n: {"roles": roles[n],
                                                "centre_share": figures[n]["centre_share"]}
                                            for n in figures},
                "map_agreement_spearman": agreement, "examples": examples}
    return [Finding(check.code, "info", summary, evidence,
                    "Look at the maps: a model whose evidence lies in the background, a border "
                    "or a watermark has learnt the data set, not the task.")]


def _heatmap(m: np.ndarray) -> np.ndarray:
    """A map as a (3, h, w) uint8 picture: black where covering changes nothing, through red
    to yellow where it matters most (matplotlib's 'inferno')."""
    from matplotlib import colormaps

    positive = np.maximum(m, 0)
    scaled = positive / positive.max() if positive.max() > 0 else positive
    rgb = colormaps["inferno"](scaled)[..., :3]
    return (rgb * 255).round().astype(np.uint8).transpose(2, 0, 1)

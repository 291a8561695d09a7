"""Adversarial perturbations of a fitted network: how small a nudge of its inputs, aimed along
its own gradient, flips its predictions, next to random nudges of the same size.

Everything happens in the network's input space after preprocessing, where each numeric
feature is quantile-normalised (unit spread), so a size `eps` reads "eps standard deviations
per feature" (an L-infinity radius). Only the numeric features move; category codes and
missing-value indicators stay as they are.

- FGSM (Goodfellow et al., 2015): each row moves by eps * sign(d loss / d input), the loss
  taken at the model's own prediction (classification) or at the true target (regression).
- Universal perturbation (Moosavi-Dezfooli et al., 2017, here in one step): one vector,
  eps * sign(mean of the rows' normalised gradients), added to every row; the gradients are
  aimed at one class, or away from each row's own class (`universal_aim`: "class:K" or
  "away"), or upwards / downwards for a regression ("up", "down"); the aim that needs the
  smallest eps is kept.
- Random: rows moved by random signs (one draw per row, or one vector for all rows).

A prediction flips when its class changes (classification) or when it moves by more than
`FLIP_TARGET_STD` standard deviations of the training target (regression). For each kind,
bisection finds the smallest eps that flips `FLIP_SHARE` of the probed rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcheck.findings import rounded

FLIP_SHARE = 0.1
"""The share of predictions a perturbation must flip."""
FLIP_TARGET_STD = 0.5
"""Regression: a prediction 'flips' when it moves by more than this many target stds."""
EPS_MIN, EPS_MAX = 1e-3, 4.0
"""The range of sizes searched, in feature standard deviations (quantile-normal units)."""
BISECTION_STEPS = 9
"""Bisection steps on log(eps): the eps found is within a factor 1.02 of the exact one."""
MAX_ROWS = 1000
"""Test rows probed at most: bounds the cost (every step is one forward pass over them)."""
MAX_TARGET_CLASSES = 3
"""Classes a universal perturbation is aimed at, at most (the most predicted ones)."""
RANDOM_DRAWS = 3
"""Random sign draws averaged for each random figure."""


def adversarial(fitted, X, y, rng: np.random.Generator) -> dict:
    """The figures for a network fitted in `fitted.pipeline`, on the rows X (labels y)."""
    prep, model = fitted.pipeline[:-1], fitted.pipeline[-1]
    n_num = len(fitted.data.inputs.features.numeric)
    if n_num == 0:
        return {"status": "no numeric feature to perturb"}
    if len(X) > MAX_ROWS:
        keep = np.sort(rng.choice(len(X), MAX_ROWS, replace=False))
        X, y = X.iloc[keep], y[keep]
    Z = np.asarray(prep.transform(X), dtype=np.float32)
    mask = np.zeros(Z.shape[1], dtype=np.float32)
    mask[:n_num] = 1.0
    classification = fitted.data.task != "regression"

    if classification:
        clean = model.predict_proba(Z).argmax(axis=1)

        def flipped(Zp: np.ndarray) -> np.ndarray:
            return model.predict_proba(Zp).argmax(axis=1) != clean

        fgsm = model.input_gradient(Z, model.classes_[clean])
        aims = {f"class:{int(model.classes_[c])}":
                -model.input_gradient(Z, np.full(len(Z), model.classes_[c]))
                for c in np.argsort(-np.bincount(clean, minlength=len(model.classes_)))
                [:MAX_TARGET_CLASSES]}
        aims["away"] = fgsm
        rule = "the predicted class changes"
    else:
        clean = model.predict(Z)
        tolerance = FLIP_TARGET_STD * (float(np.std(fitted.y_train)) or 1.0)

        def flipped(Zp: np.ndarray) -> np.ndarray:
            return np.abs(model.predict(Zp) - clean) > tolerance

        fgsm = model.input_gradient(Z, y)
        upwards = model.input_gradient(Z, clean - tolerance)  # loss rises as predictions do
        aims = {"up": upwards, "down": -upwards}
        rule = f"the prediction moves by more than {FLIP_TARGET_STD:g} training-target std"

    def share(direction: np.ndarray) -> Callable[[float], float]:
        return lambda eps: float(flipped(Z + eps * direction).mean())

    def mean_share(directions: list[np.ndarray]) -> Callable[[float], float]:
        return lambda eps: float(np.mean([share(d)(eps) for d in directions]))

    fgsm_direction = np.sign(fgsm) * mask
    fgsm_eps = smallest_eps(share(fgsm_direction))
    row_signs = [_random_signs(rng, Z.shape) * mask for _ in range(RANDOM_DRAWS)]
    random_eps = smallest_eps(mean_share(row_signs))

    universal_eps, universal_aim = None, None
    for aim, gradients in aims.items():
        direction = universal_direction(gradients) * mask
        if not direction.any():
            continue
        eps = smallest_eps(share(direction), upper=universal_eps or EPS_MAX)
        if eps is not None and (universal_eps is None or eps < universal_eps):
            universal_eps, universal_aim = eps, aim
    vector_signs = [_random_signs(rng, (1, Z.shape[1])) * mask for _ in range(RANDOM_DRAWS)]

    def at(eps: float | None, measure: Callable[[float], float]) -> float | None:
        return None if eps is None else rounded(measure(eps))

    return {
        "rows": len(Z), "n_features_perturbed": n_num, "target_flip_share": FLIP_SHARE,
        "numeric_embedding": numeric_embedding(model),
        "numeric_embedding_bounded": bool(getattr(model, "input_notes_", [])),
        "flip_rule": rule, "eps_max": EPS_MAX,
        "fgsm_eps": rounded(fgsm_eps), "fgsm_flip_share": at(fgsm_eps, share(fgsm_direction)),
        "random_eps": rounded(random_eps),
        "random_flip_share_at_fgsm_eps": at(fgsm_eps, mean_share(row_signs)),
        "universal_eps": rounded(universal_eps), "universal_aim": universal_aim,
        "universal_flip_share": None if universal_eps is None else
        at(universal_eps, share(universal_direction(aims[universal_aim]) * mask)),
        "random_universal_flip_share_at_universal_eps":
            at(universal_eps, mean_share(vector_signs)),
        "random_universal_flip_share_at_fgsm_eps": at(fgsm_eps, mean_share(vector_signs)),
    }


def numeric_embedding(model) -> str | None:
    """How the network takes its numeric inputs, in words (the embedding bound of
    `dlcheck.models.tabular.deep.architectures.num_embedding_size` on wide tables)."""
    d = getattr(model, "d_num_embedding_", None)
    if d is None:
        return None
    notes = getattr(model, "input_notes_", [])
    return notes[0] if notes else f"periodic embeddings of {d} values per numeric input"


def smallest_eps(flip_share: Callable[[float], float], upper: float = EPS_MAX,
                 target: float = FLIP_SHARE, steps: int = BISECTION_STEPS) -> float | None:
    """The smallest eps in [EPS_MIN, upper] whose flip share reaches the target (bisection on
    log eps, flip shares assumed to grow with eps); None when `upper` does not reach it."""
    if flip_share(upper) < target:
        return None
    low, high = EPS_MIN, upper
    if flip_share(low) >= target:
        return low
    for _ in range(steps):
        middle = float(np.sqrt(low * high))
        if flip_share(middle) >= target:
            high = middle
        else:
            low = middle
    return high


def universal_direction(gradients: np.ndarray) -> np.ndarray:
    """sign of the mean gradient, each row's gradient scaled to unit L1 norm first so that a
    few rows with steep gradients do not decide alone: shape (1, n_columns)."""
    norms = np.abs(gradients).sum(axis=1, keepdims=True)
    scaled = gradients / np.where(norms > 0, norms, 1.0)
    return np.sign(scaled.mean(axis=0, keepdims=True))


def _random_signs(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=shape)

"""Networks are not brains, for images: a fitted model's score under Gaussian pixel noise, its
confidence on images that hold nothing (all black, all white, uniform random noise), and for
a network the smallest FGSM and universal perturbations that flip its predictions, next to
random perturbations of the same size.

Sizes are fractions of the pixel range (0..255): noise of standard deviation 0.1 is 25.5 grey
levels; an adversarial eps of 0.05 moves each pixel by at most 12.75 levels (L-infinity), the
usual unit of the image literature (Goodfellow et al., 2015: eps = 0.1 on MNIST). Perturbed
pixels are clipped to the valid range.

- FGSM: each image moves by eps * sign(d loss / d pixel), the loss taken at the model's own
  prediction.
- Universal perturbation (Moosavi-Dezfooli et al., 2017, in one step): one image,
  eps * sign(mean of the images' L1-normalised gradients), added to every image; aimed away
  from each image's own class, or towards one of the most predicted classes; the aim that
  needs the smallest eps is kept, and is returned as a picture beside an image it flips.
- Random: images moved by random signs of the same size (one draw per image, or one for all).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcheck.benchmark.fitting import FittedFold
from dlcheck.findings import rounded
from dlcheck.probes import adversarial
from dlcheck.probes.adversarial import FLIP_SHARE, universal_direction
from dlcheck.probes.robustness import confidence, noise_scores

NOISE_LEVELS = (0.05, 0.1, 0.2)
"""Standard deviations of the Gaussian pixel noise, as fractions of the pixel range."""
MAX_IMAGES = 500
"""Test images probed at most (a seeded sample)."""
N_NOISE_IMAGES = 200
"""Uniform random-noise images whose predictions measure confidence on nothing."""
EPS_MAX = 0.5
"""Largest adversarial size searched, as a fraction of the pixel range (the smallest is
`adversarial.EPS_MIN`, 0.001)."""
BISECTION_STEPS = 8
MAX_TARGET_CLASSES = 3
RANDOM_DRAWS = 2


def image_robustness(fitted: FittedFold) -> dict:
    rng = np.random.default_rng([fitted.data.seed, 4243])
    X, y = fitted.X_test, fitted.y_test
    if len(X) > MAX_IMAGES:
        keep = np.sort(rng.choice(len(X), MAX_IMAGES, replace=False))
        X, y = X[keep], y[keep]
    shape = X.shape[1:]
    noisy = [np.clip(np.rint(X + rng.normal(0, level * 255, X.shape)), 0, 255).astype(np.uint8)
             for level in NOISE_LEVELS]
    random = rng.integers(0, 256, (N_NOISE_IMAGES, *shape), dtype=np.uint8)
    blank = np.stack([np.zeros(shape, np.uint8), np.full(shape, 255, np.uint8)])
    outputs = fitted.predict(np.concatenate([X, *noisy, random, blank]))
    parts = np.split(outputs, np.cumsum([len(X)] * (1 + len(noisy)) + [len(random)]))
    on_clean, on_noisy, on_random, on_blank = parts[0], parts[1:1 + len(noisy)], \
        parts[1 + len(noisy)], parts[2 + len(noisy)]
    noise = noise_scores(fitted, y, on_clean, on_noisy)
    noise["levels"] = list(NOISE_LEVELS)
    # The tables' confidence figures; their blank rows are here a black and a white image.
    figures = confidence(fitted, on_clean, on_random, on_blank)
    figures.update(black=figures.pop("zeros"), black_class=int(on_blank[0].argmax()),
                   white=figures.pop("means"), white_class=int(on_blank[1].argmax()))
    out = {"rows": len(X), "noise": noise, "confidence": figures}
    if hasattr(fitted.pipeline[-1], "input_gradient"):  # a network
        out["adversarial"] = adversarial_images(fitted.pipeline[-1], X, rng)
    return out


def adversarial_images(model, X: np.ndarray, rng: np.random.Generator) -> dict:
    """FGSM, universal and random perturbations of a network on images X (see the module)."""
    from dlcheck.data.images.dataset import png_data_uri

    Z = X.astype(np.float32)
    clean = model.predict_proba(Z).argmax(axis=1)

    def perturbed(direction: np.ndarray, eps: float) -> np.ndarray:
        return np.clip(Z + eps * 255.0 * direction, 0, 255)

    def share(direction: np.ndarray) -> Callable[[float], float]:
        return lambda eps: float((model.predict_proba(perturbed(direction, eps)).argmax(axis=1)
                                  != clean).mean())

    def mean_share(directions: list[np.ndarray]) -> Callable[[float], float]:
        return lambda eps: float(np.mean([share(d)(eps) for d in directions]))

    fgsm = np.sign(model.input_gradient(Z, model.classes_[clean]))
    fgsm_eps = smallest_eps(share(fgsm))
    row_signs = [_signs(rng, Z.shape) for _ in range(RANDOM_DRAWS)]
    random_eps = smallest_eps(mean_share(row_signs))
    flat = Z.shape[1:]
    aims = {"away": model.input_gradient(Z, model.classes_[clean])}
    for c in np.argsort(-np.bincount(clean, minlength=len(model.classes_)))[:MAX_TARGET_CLASSES]:
        aims[f"class:{int(model.classes_[c])}"] = \
            -model.input_gradient(Z, np.full(len(Z), model.classes_[c]))
    universal_eps, universal_aim, universal = None, None, None
    for aim, gradients in aims.items():
        direction = universal_direction(gradients.reshape(len(Z), -1)).reshape(1, *flat)
        if not direction.any():
            continue
        eps = smallest_eps(share(direction), upper=universal_eps or EPS_MAX)
        if eps is not None and (universal_eps is None or eps < universal_eps):
            universal_eps, universal_aim, universal = eps, aim, direction
    vector_signs = [_signs(rng, (1, *flat)) for _ in range(RANDOM_DRAWS)]

    def at(eps: float | None, measure: Callable[[float], float]) -> float | None:
        return None if eps is None else rounded(measure(eps))

    pictures = {}
    if universal is not None:
        moved = perturbed(universal, universal_eps)
        flips = np.flatnonzero(model.predict_proba(moved).argmax(axis=1) != clean)
        # the perturbation itself, its signs shown as black and white
        pictures["universal_perturbation"] = png_data_uri(
            ((universal[0] + 1) * 127.5).astype(np.uint8))
        if len(flips):
            i = int(flips[0])
            pictures.update(
                flipped_before=png_data_uri(X[i]),
                flipped_after=png_data_uri(moved[i].round().astype(np.uint8)),
                flipped_from=int(model.classes_[clean[i]]),
                flipped_to=int(model.classes_[
                    model.predict_proba(moved[i:i + 1]).argmax(axis=1)[0]]))
    return {
        "rows": len(Z), "target_flip_share": FLIP_SHARE, "eps_max": EPS_MAX,
        "flip_rule": "the predicted class changes",
        "fgsm_eps": rounded(fgsm_eps), "fgsm_flip_share": at(fgsm_eps, share(fgsm)),
        "random_eps": rounded(random_eps),
        "random_flip_share_at_fgsm_eps": at(fgsm_eps, mean_share(row_signs)),
        "universal_eps": rounded(universal_eps), "universal_aim": universal_aim,
        "universal_flip_share": at(universal_eps, share(universal))
        if universal is not None else None,
        "random_universal_flip_share_at_universal_eps":
            at(universal_eps, mean_share(vector_signs)),
        "random_universal_flip_share_at_fgsm_eps": at(fgsm_eps, mean_share(vector_signs)),
        "pictures": pictures,
    }


def smallest_eps(flip_share: Callable[[float], float], upper: float = EPS_MAX) -> float | None:
    """The smallest eps in [EPS_MIN, upper] that flips FLIP_SHARE of the predictions."""
    return adversarial.smallest_eps(flip_share, upper=upper, steps=BISECTION_STEPS)


def _signs(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=shape)

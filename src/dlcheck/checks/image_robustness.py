"""Networks are not brains, for images (the `robustness` check on image data): scores under
Gaussian pixel noise, confidence on images of nothing (black, white, random noise), and each
network's smallest FGSM and universal perturbations next to random ones of the same size
(`dlcheck.probes.image_robustness`)."""

from __future__ import annotations

from dlcheck.checks.base import CheckContext
from dlcheck.checks.robustness_parts import IMAGE_NOISE, best_of, join_names
from dlcheck.findings import Finding
from dlcheck.probes import image_robustness as probe


def image_robustness_findings(check, context: CheckContext) -> list[Finding]:
    results = context.results
    figures, failed, fold_ids = check.probe(context, "image_robustness")
    classes = context.dataset.classes
    findings = [f for f in (check.noise_finding(results, figures, fold_ids, IMAGE_NOISE),
                            _confidence(check, figures, classes),
                            _adversarial(check, results, figures, classes))
                if f is not None]
    if failed:
        for f in findings:
            f.evidence["failed_refits"] = dict(failed)
    return findings


def _confidence(check, figures: dict[str, dict], classes: list[str]) \
        -> Finding | None:
    per_model = {name: dict(fig["confidence"]) for name, fig in figures.items()
                 if fig.get("confidence", {}).get("random") is not None}
    if not per_model:
        return None

    def label(code) -> str:
        return classes[code] if isinstance(code, int) and 0 <= code < len(classes) else code

    for c in per_model.values():
        for key in ("random_top_class", "black_class", "white_class"):
            c[key] = label(c.get(key))
    threshold = check.confident_on_noise
    # As for tables, the flag reads the mean over many random inputs; a single blank image is
    # reported, not flagged: it may be the very background of every image (MNIST), and HOG
    # sees an all-black and an all-white image as the same zero vector.
    flagged = [n for n, c in per_model.items() if c["random"] >= threshold]
    evidence = {"models": per_model, "threshold": threshold, "confident_on_noise": flagged,
                "noise_images": probe.N_NOISE_IMAGES,
                "noise_images_are": "every pixel uniform over 0..255, independently",
                "blank_images_are": "every pixel 0 (black) or 255 (white)"}
    chance = 1 / max(len(classes), 1)

    def blanks(name: str) -> str:
        c = per_model[name]
        return (f"an all-black image is {c['black_class']!r} to it with probability "
                f"{c['black']:.2f}, an all-white one {c['white_class']!r} with {c['white']:.2f}")

    if flagged:
        parts = [f"{n} {per_model[n]['random']:.2f} (class {per_model[n]['random_top_class']!r} "
                 f"for {per_model[n]['random_top_class_share']:.0%} of them; on real test "
                 f"images {per_model[n]['test']:.2f})" for n in flagged]
        worst = max(flagged, key=lambda n: per_model[n]["random"])
        return Finding(
            check.code, "warning",
            f"{join_names(flagged)} {'is' if len(flagged) == 1 else 'are'} confident about "
            f"images of random noise, unlike any training image: mean top-class probability "
            f"on {probe.N_NOISE_IMAGES} of them {'; '.join(parts)}; chance is {chance:.2f}. "
            f"For {worst}, {blanks(worst)}.", evidence,
            "Its probabilities say nothing about inputs unlike the training images: reject "
            "blank or corrupted images before the model sees them (or add a novelty "
            "detector), and do not read its confidence as certainty.")
    low = min(per_model, key=lambda n: per_model[n]["random"])
    high = max(per_model, key=lambda n: per_model[n]["random"])
    return Finding(
        check.code, "info",
        f"No model is confident about images of random noise (threshold {threshold:g}): mean "
        f"top-class probability on {probe.N_NOISE_IMAGES} of them ranges from "
        f"{per_model[low]['random']:.2f} ({low}) to {per_model[high]['random']:.2f} ({high}); "
        f"chance is {chance:.2f}. For {high}, {blanks(high)}.", evidence,
        "Confidence on images unlike the training data means little for any model: keep "
        "production images like the training ones.")


def _adversarial(check, results, figures: dict[str, dict], classes: list[str]) \
        -> Finding | None:
    from dlcheck.probes.adversarial import FLIP_SHARE

    per_model = {name: dict(fig["adversarial"]) for name, fig in figures.items()
                 if "fgsm_eps" in fig.get("adversarial", {})}
    if not per_model:
        return None
    for a in per_model.values():
        aim = a.get("universal_aim")
        if isinstance(aim, str) and aim.startswith("class:"):
            k = int(aim.split(":")[1])
            a["universal_aim"] = f"towards class {classes[k]!r}" if k < len(classes) else aim
        elif aim == "away":
            a["universal_aim"] = "away from each image's class"
        pictures = a.get("pictures", {})
        for key in ("flipped_from", "flipped_to"):
            if isinstance(pictures.get(key), int) and pictures[key] < len(classes):
                pictures[key] = classes[pictures[key]]
    best = best_of(results, per_model)
    a = per_model[best.name]
    share, limit = FLIP_SHARE, probe.EPS_MAX

    def levels(eps: float) -> str:
        return f"eps={eps:.3g} ({eps * 255:.1f} grey levels per pixel)"

    if a["fgsm_eps"] is None:
        summary = (f"No FGSM perturbation up to {limit:g} of the pixel range flips "
                   f"{share:.0%} of {best.name}'s predictions.")
    else:
        summary = (f"FGSM flips {share:.0%} of {best.name}'s predictions at "
                   f"{levels(a['fgsm_eps'])}; random noise of that size flips "
                   f"{a['random_flip_share_at_fgsm_eps']:.1%}")
        summary += (f" and needs eps={a['random_eps']:.3g} to flip {share:.0%}."
                    if a["random_eps"] is not None else
                    f" and does not flip {share:.0%} below eps={limit:g}.")
    if a["universal_eps"] is None:
        summary += f" No single image up to {limit:g} added to every input flips {share:.0%}."
    else:
        summary += (f" One image added to every input ({a['universal_aim']}) flips "
                    f"{share:.0%} at {levels(a['universal_eps'])}, where a random image of "
                    f"that size flips {a['random_universal_flip_share_at_universal_eps']:.1%}.")
    others = [n for n in per_model if n != best.name and per_model[n]["fgsm_eps"] is not None]
    if others:
        summary += " Other networks: " + ", ".join(
            f"{n} FGSM eps={per_model[n]['fgsm_eps']:.3g}" for n in others) + "."
    evidence = {"model": best.name, "models": per_model, "target_flip_share": share,
                "eps_max": limit, "space": "pixels, eps as a share of the range 0..255 "
                "(L-infinity), perturbed images clipped to it"}
    return Finding(check.code, "info", summary, evidence,
                   "Changes of the pixels too small to see move a network's predictions far "
                   "more than noise does: where images can be manipulated, do not rely on "
                   "the network alone; adversarial training hardens it at a cost.")

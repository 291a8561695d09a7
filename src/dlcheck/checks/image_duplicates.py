"""Near-duplicate images across training and test folds: the image side of the check
`leakage_duplicates` (`DuplicatesAcrossFolds` in leakage.py).

Each image gets a 64-bit perceptual hash (pHash: the signs of the low frequencies of its
discrete cosine transform against their median, Zauner 2010; `imagehash.phash`), which a copy
keeps through a change of brightness, a re-compression or a few changed pixels. Two images
whose hashes differ in few bits are only candidates: different images of one class (two
handwritten 1s) can hash alike, so each candidate is confirmed on the pixels themselves.
Identical pixels are grouped first, so exact copies cost nothing to compare and a set of many
identical images (blank scans) does not multiply the pairs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dlcheck.findings import Finding, rounded

if TYPE_CHECKING:
    from dlcheck.benchmark.splits import Fold
    from dlcheck.checks.base import CheckContext
    from dlcheck.checks.leakage import DuplicatesAcrossFolds
    from dlcheck.data.images.dataset import ImageData


@dataclass(frozen=True)
class ImageTwinRule:
    """What makes two images near-duplicates: the hash proposes, the pixels confirm."""

    max_hash_distance: int = 6
    """Candidates differ in at most this many of the 64 hash bits. Measured on 16-32 px
    images, a copy moves at most 2 bits when brightened by 10 or re-saved as JPEG at quality
    90, and up to 6 bits when one pixel of a 16 px image is inverted; two unrelated images
    agree on 58 bits or more with probability 4e-12 if their bits were independent coins."""
    min_correlation: float = 0.99
    """Confirmed when the Pearson correlation of what the two add to the common scene (see
    `confirmed`) is at least this: a copy brightened by 10, its contrast scaled by 0.8 or
    re-saved as JPEG at quality 75 keeps 0.99 or more (MNIST digits; 8 x 8 digits enlarged
    to 32 px, which the test holds), while distinct handwritten digits of one class reach
    0.984 at most among hash candidates (scikit-learn's 8x8 digits; 0.981 on mnist_5k). A
    mean absolute difference does not do: on sparse images (thin strokes on black) any two
    images with little ink differ little, and 1,323 distinct pairs of the mnist_5k example
    passed one of 3% of 255 (median correlation 0.91)."""
    min_std: float = 2.0
    """Images whose pixels vary by less than this (grey levels, standard deviation) have no
    meaningful correlation: two such near-constant images (blank scans) are twins when..."""
    max_mean_abs_difference: float = 0.03 * 255
    """... their pixels differ by at most 3% of 255 on average."""
    max_candidates_per_image: int = 20
    """At most this many closest hash candidates are confirmed per distinct image (a cost
    bound for sets of many near-identical images; a test image needs one twin)."""


RULE = ImageTwinRule()


def image_twin_findings(check: DuplicatesAcrossFolds, context: CheckContext,
                        rule: ImageTwinRule = RULE) -> list[Finding]:
    """Test images of the first repeat's folds that have a confirmed near-duplicate among
    their fold's training images, as a finding of `check` (code 'leakage_duplicates').

    Nothing below `check.warning_share` of the test images (each counted once per fold it is
    tested in), a warning from it. It blocks only where the twins are copies of records and
    are shown to matter. Copies: each test image with a twin counts in full when its picture
    occurs at most `check.max_training_copies` + 1 times in the data set, and for that many
    over its count when it occurs more often (`copy_weight`): a picture that recurs by the
    hundred (blank frames, a fixed scene) is natural repetition, which a model predicts from
    many examples as it would a new image of it. Shown to matter: those copies on
    `check.blocking_excess` of the test images, and the best classical or the best deep
    model scoring higher on all test images than on those without a twin by more than the
    minimum gain (the lower end of the corrected interval over folds,
    `DuplicatesAcrossFolds._inflation`), whatever its family; or copies on
    `check.fallback_excess` of them, with their twins' labels (`check.min_exact_share` of
    them), unless both models' inflation is shown to stay below the minimum gain."""
    dataset: ImageData = context.dataset
    folds = context.results.split.first_repeat
    twins = find_twins(dataset.pixels, rule)
    per_fold = [fold_image_twins(twins, dataset.y, fold) for fold in folds]
    n_test = sum(len(f.test) for f in folds)
    n_twin = sum(int(p.twin.sum()) for p in per_fold)
    share = n_twin / n_test if n_test else 0.0
    if share < check.warning_share:
        return []
    n_exact = sum(int(p.exact.sum()) for p in per_fold)
    n_conflict = sum(int(p.conflict.sum()) for p in per_fold)
    # Every share that decides counts copies by their weight: blank frames that recur by the
    # hundred, whatever their labels, must not speak for the copies.
    weight = copy_weight(twins, check.max_training_copies + 1)
    w = [weight[twins.group[np.asarray(f.test)]] for f in folds]
    copied = sum(float((wi * p.twin).sum()) for wi, p in zip(w, per_fold, strict=True))
    copied_share = copied / n_test
    copied_conflicts = sum(float((wi * p.conflict).sum()) for wi, p in zip(w, per_fold,
                                                                            strict=True))
    copied_exact = sum(float((wi * p.exact).sum()) for wi, p in zip(w, per_fold, strict=True))
    same_label = 1.0 - copied_conflicts / copied if copied > 0 else 1.0
    evidence = {
        "share_of_test_images": round(share, 4), "images": n_twin, "test_images": n_test,
        "exact_copy_share_of_test_images": round(n_exact / n_test, 4), "exact_copies": n_exact,
        "label_conflicts": n_conflict, "same_label_share_of_copies": round(same_label, 4),
        "copy_share_of_test_images": round(copied_share, 4),
        "exact_copy_weight_share_of_test_images": round(copied_exact / n_test, 4),
        "per_fold": {fold.id: int(p.twin.sum()) for fold, p in zip(folds, per_fold,
                                                                     strict=True)},
        "repeated_images": int(len(twins.group) - twins.n_distinct),
        "candidate_pairs": twins.n_candidates, "confirmed_pairs": int(len(twins.pairs)),
        "hash": "pHash, 64 bits (imagehash)",
        "threshold_max_hash_distance": rule.max_hash_distance,
        "threshold_max_mean_abs_difference": round(rule.max_mean_abs_difference, 2),
        "threshold_min_correlation": rule.min_correlation,
        "threshold_warning_share": check.warning_share,
        "threshold_blocking_share": check.blocking_excess,
        "threshold_fallback_share": check.fallback_excess,
        "threshold_min_same_label_share": check.min_exact_share,
        "threshold_copies_in_full": check.max_training_copies + 1,
        "example_pairs": _examples(dataset, twins, folds, per_fold, check.n_examples),
    }
    inflation, inflates, harmless = _inflation(check, context, folds, per_fold)
    evidence.update(inflation)
    # As the table check's whole-row copies: copies on `fallback_excess` of the test images
    # (three times the blocking share) with their twins' labels block unless the inflation
    # is shown to stay below the minimum gain for both models.
    many = copied_share >= check.fallback_excess and same_label >= check.min_exact_share
    return [_finding(check, evidence, copied_share >= check.blocking_excess and (
        inflates or (many and not harmless)))]


def copy_weight(twins: ImageTwins, in_full: int) -> np.ndarray:
    """Per group of identical images: how much a test image of it with a twin counts as a
    copy, 1 when its picture occurs at most `in_full` times in the data set, `in_full` /
    occurrences beyond: an image copied a few times counts whole, a picture that recurs by
    the hundred hardly at all, and the weight falls smoothly in between (every image six
    times: 0.67). A picture is a connected cluster of confirmed near-duplicates, so frames of
    a still camera that differ by sensor noise count as one picture (each image confirms
    only its closest candidates: counted pairwise, 400 such frames weighed 0.18 each)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = twins.n_distinct
    links = coo_matrix((np.ones(len(twins.pairs)), (twins.pairs[:, 0], twins.pairs[:, 1])),
                       shape=(n, n))
    _, cluster = connected_components(links, directed=False)
    size = np.bincount(twins.group, minlength=n).astype(float)
    picture = np.bincount(cluster, weights=size)[cluster]
    return np.minimum(1.0, in_full / np.maximum(picture, 1.0))


@dataclass(frozen=True)
class ImageTwinRows:
    """Per test image of the first repeat's folds (in fold order): its position, its fold and
    whether it has a twin: what the table check's inflation reads (its `Twins`)."""

    rows: np.ndarray
    fold: np.ndarray
    twin: np.ndarray


def _inflation(check: DuplicatesAcrossFolds, context: CheckContext, folds: list[Fold],
               per_fold: list[FoldImageTwins]) -> tuple[dict, bool, bool]:
    """The table check's inflation by the twins of the best classical and of the best deep
    model's scores (the two the verdict compares: copies that favour either side bias it),
    each judged on its own: whether it is shown (the lower end of its interval above the
    minimum gain), and whether it is shown harmless (the upper end below it, or every fold
    that could be read skipped because the score on the twin-free images leaves no room for
    the minimum gain, which bounds the inflation below it). Returns the evidence, naming
    the model that decides, whether one model's inflation is shown, and whether every
    model's is shown harmless. No correction for reading two models: either one's bias of
    the comparison matters, and each is held to the same bar.

    Whatever the model's family: a table's twins can be chance agreements of coarse columns,
    easier rows that only a memorising model's gain shows to be copies, while a confirmed
    twin is the same picture, and a linear model on hundreds of pixels memorises it too (600
    noise images, 20% copied: logistic regression gains +0.15 accuracy on pixels, +0.14 on
    HOG features)."""
    from dlcheck.benchmark.compare import CLASSICAL, resolve_min_gain

    results = context.results
    twins = ImageTwinRows(
        rows=np.concatenate([np.asarray(f.test) for f in folds]),
        fold=np.concatenate([np.full(len(f.test), f.id, dtype=object) for f in folds]),
        twin=np.concatenate([p.twin for p in per_fold]))
    min_gain = resolve_min_gain(results, context.min_gain, results.best(CLASSICAL)).value
    names = list(dict.fromkeys(m.name for m in (results.best(CLASSICAL),
                                                results.best({"deep"})) if m is not None))
    by_model: dict = {}
    for name in names or [None]:
        skipped = {"ceiling": 0}
        figures = check._inflation(context, name, twins, min_gain, skipped)
        measured = figures["inflation_folds"] >= 2 and figures["inflation_ci_low"] is not None
        by_model[name] = {
            **figures, "ceiling_folds": skipped["ceiling"],
            "inflates": bool(measured and figures["inflation_ci_low"] > min_gain),
            # At the ceiling: on two folds or more, as a measured inflation needs (one fold
            # of 30 images all right can be luck).
            "harmless": bool((measured and figures["inflation_ci_high"] < min_gain) or (
                figures["inflation_folds"] == 0 and skipped["ceiling"] >= 2))}
    # The model that decides: one whose inflation is shown (the highest lower end), else one
    # not shown harmless, else the first.
    def rank(name):
        m = by_model[name]
        low = m["inflation_ci_low"]
        return m["inflates"], not m["harmless"], -np.inf if low is None else low

    decider = max(by_model, key=rank)
    evidence = {"model": decider, "metric": results.metric.name, "min_gain": rounded(min_gain),
                **{k: v for k, v in by_model[decider].items()
                   if k not in ("inflates", "harmless")},
                "inflation_by_model": by_model}
    return (evidence, any(m["inflates"] for m in by_model.values()),
            all(m["harmless"] for m in by_model.values()))


# -- hashing and confirming ------------------------------------------------------------------

def perceptual_hashes(pixels: np.ndarray) -> np.ndarray:
    """The 64-bit pHash of each (channels, h, w) uint8 image, as uint64."""
    import imagehash
    from PIL import Image

    bits = np.empty((len(pixels), 64), dtype=bool)
    for i, image in enumerate(pixels):
        array = image[0] if image.shape[0] == 1 else image.transpose(1, 2, 0)
        bits[i] = imagehash.phash(Image.fromarray(np.ascontiguousarray(array))).hash.ravel()
    return np.packbits(bits, axis=1).view(">u8").ravel().astype(np.uint64)


def exact_groups(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Images with identical pixels share a group: (group of each image, first image of each
    group). Groups are numbered by their first image."""
    keys = np.array([int.from_bytes(hashlib.blake2b(np.ascontiguousarray(p).tobytes(),
                                                    digest_size=8).digest(), "little")
                     for p in pixels], dtype=np.uint64)
    _, first, group = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[group.ravel()], first[order]


def hash_candidates(hashes: np.ndarray, max_distance: int, max_per_image: int,
                    chunk: int = 256) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (a < b) of hashes at most `max_distance` bits apart, keeping each hash's
    `max_per_image` closest; and their distances. Distances by XOR and bit counts, in chunks
    of rows (memory: chunk x n x 8 bytes)."""
    n = len(hashes)
    found_a, found_b, found_d = [], [], []
    for start in range(0, n, chunk):
        rows = np.arange(start, min(start + chunk, n))
        dist = np.bitwise_count(hashes[rows, None] ^ hashes[None, :])
        dist[np.arange(len(rows)), rows] = 255  # not a pair with itself
        close = dist <= max_distance
        crowded = np.flatnonzero(close.sum(axis=1) > max_per_image)
        if len(crowded):  # keep only the closest of a crowded row's candidates
            far = np.argpartition(dist[crowded], max_per_image, axis=1)[:, max_per_image:]
            kept = close[crowded]
            np.put_along_axis(kept, far, False, axis=1)
            close[crowded] = kept
        at, b = np.nonzero(close)
        a = rows[at]
        found_a.append(np.minimum(a, b))
        found_b.append(np.maximum(a, b))
        found_d.append(dist[at, b])
    if not found_a:
        empty = np.array([], dtype=np.int64)
        return empty, empty, np.array([], dtype=np.uint8)
    a, b, d = (np.concatenate(x) for x in (found_a, found_b, found_d))
    _, unique = np.unique(a.astype(np.int64) * n + b, return_index=True)
    return a[unique].astype(np.int64), b[unique].astype(np.int64), d[unique]


def background(pixels: np.ndarray, max_images: int = 2_000, seed: int = 0) -> np.ndarray:
    """The per-pixel median of the images (of a seeded sample of `max_images`), as float32:
    what every image shares, a fixed scene or a blank page."""
    rows = np.arange(len(pixels)) if len(pixels) <= max_images else np.sort(
        np.random.default_rng(seed).choice(len(pixels), max_images, replace=False))
    return np.median(pixels[rows], axis=0).astype(np.float32)


def confirmed(pixels: np.ndarray, a: np.ndarray, b: np.ndarray, rule: ImageTwinRule,
              scene: np.ndarray | None = None, max_cells: int = 1 << 22) -> np.ndarray:
    """Whether each pair of images (a[i], b[i]) is a near-duplicate on its pixels, judged on
    what each adds to the common `scene` (`background`; none: a black one): the pair's
    correlation at least the rule's bound either after the scene is subtracted or after it
    is regressed out (each image's residual from its least-squares fit by a constant plus a
    multiple of the scene, which a change of contrast leaves proportional); for images
    near-constant after the subtraction (no correlation to speak of), their mean absolute
    difference at most its bound. On the raw pixels two pictures of a fixed backdrop whose
    objects cover under 1% of it would correlate at 0.99."""
    out = np.zeros(len(a), dtype=bool)
    cells = int(np.prod(pixels.shape[1:]))
    common = np.zeros(cells, np.float32) if scene is None else scene.reshape(cells)
    centred = common - common.mean()
    energy = float(centred @ centred)
    step = max(1, max_cells // max(cells, 1))
    for start in range(0, len(a), step):
        x = pixels[a[start:start + step]].reshape(-1, cells).astype(np.float32)
        y = pixels[b[start:start + step]].reshape(-1, cells).astype(np.float32)
        dx, dy = x - common, y - common
        flat = (dx.std(axis=1) < rule.min_std) | (dy.std(axis=1) < rule.min_std)
        mad = np.abs(x - y).mean(axis=1)
        close = _correlation(dx, dy) >= rule.min_correlation
        if energy > 0:  # a scene that is not flat: regress it out as well
            close |= _correlation(_residual(x, centred, energy),
                                  _residual(y, centred, energy)) >= rule.min_correlation
        out[start:start + step] = np.where(flat, mad <= rule.max_mean_abs_difference, close)
    return out


def _residual(x: np.ndarray, centred: np.ndarray, energy: float) -> np.ndarray:
    """Each row of x less its mean and its projection on the centred scene."""
    x = x - x.mean(axis=1, keepdims=True)
    return x - np.outer(x @ centred / energy, centred)


def _correlation(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x = x - x.mean(axis=1, keepdims=True)
    y = y - y.mean(axis=1, keepdims=True)
    norm = np.sqrt((x * x).sum(axis=1) * (y * y).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > 0, (x * y).sum(axis=1) / norm, 0.0)


@dataclass(frozen=True)
class ImageTwins:
    """Which images are near-duplicates of which: `group` of each image (identical pixels
    share one) and confirmed pairs of distinct groups with their hash distance."""

    group: np.ndarray
    n_distinct: int
    pairs: np.ndarray
    """(m, 2) group numbers, first < second."""
    distance: np.ndarray
    n_candidates: int


def find_twins(pixels: np.ndarray, rule: ImageTwinRule = RULE) -> ImageTwins:
    group, first = exact_groups(pixels)
    hashes = perceptual_hashes(pixels[first])
    a, b, d = hash_candidates(hashes, rule.max_hash_distance, rule.max_candidates_per_image)
    ok = confirmed(pixels, first[a], first[b], rule, background(pixels))
    return ImageTwins(group, len(first), np.stack([a[ok], b[ok]], axis=1).reshape(-1, 2),
                      d[ok], len(a))


# -- per fold --------------------------------------------------------------------------------

@dataclass(frozen=True)
class FoldImageTwins:
    """Per test image of one fold (in `fold.test` order): whether a training image of the
    fold is its near-duplicate, whether one is an exact copy (identical pixels), and whether
    one carries another label."""

    twin: np.ndarray
    exact: np.ndarray
    conflict: np.ndarray


def fold_image_twins(twins: ImageTwins, y: np.ndarray, fold: Fold) -> FoldImageTwins:
    n_groups = twins.n_distinct
    labels = np.asarray(y, dtype=np.int64)
    train_group = twins.group[fold.train]
    in_train = np.bincount(train_group, minlength=n_groups) > 0
    big = np.iinfo(np.int64).max
    # The smallest and largest training label of each group and of its confirmed partners:
    # a twin with another label exists where either differs from the test image's label.
    low = np.full(n_groups, big)
    high = np.full(n_groups, -1)
    np.minimum.at(low, train_group, labels[fold.train])
    np.maximum.at(high, train_group, labels[fold.train])
    near_low, near_high = low.copy(), high.copy()
    for mine, other in ((0, 1), (1, 0)):
        g, h = twins.pairs[:, mine], twins.pairs[:, other]
        np.minimum.at(near_low, g, low[h])
        np.maximum.at(near_high, g, high[h])
    test_group = twins.group[fold.test]
    test_labels = labels[fold.test]
    lo, hi = near_low[test_group], near_high[test_group]
    twin = hi >= 0
    return FoldImageTwins(twin=twin, exact=in_train[test_group],
                          conflict=twin & ((lo != test_labels) | (hi != test_labels)))


def _examples(dataset: ImageData, twins: ImageTwins, folds: list[Fold],
              per_fold: list[FoldImageTwins], n: int) -> list[dict]:
    """Up to `n` pairs (test image, its closest training twin), label conflicts first, then
    in fold and file order; each with both images as PNG data URIs for the report."""
    chosen = []
    for conflicts in (True, False):
        for fold, p in zip(folds, per_fold, strict=True):
            wanted = p.twin & (p.conflict if conflicts else ~p.conflict)
            chosen += [(conflicts, fold, int(i)) for i in np.asarray(fold.test)[wanted]]
    out = []
    for conflict, fold, row in chosen[:n]:
        partner, distance = _closest_training_twin(dataset, twins, fold, row, conflict)
        test, train = dataset.describe_row(row), dataset.describe_row(partner)
        out.append({"test_file": test["file"], "train_file": train["file"],
                    "hash_distance": distance,
                    "same_label": bool(dataset.y[row] == dataset.y[partner]),
                    "fold": fold.id, "test_image": test["image"], "train_image": train["image"]})
    return out


def _closest_training_twin(dataset: ImageData, twins: ImageTwins, fold: Fold, row: int,
                           other_label: bool) -> tuple[int, int]:
    """A training image of the fold that is a twin of `row` (an exact copy first, then the
    partner closest in hash), one with another label if `other_label`; and the hash
    distance between them."""
    g = twins.group[row]
    mine = twins.pairs == g
    partners = np.where(mine[:, 0], twins.pairs[:, 1], twins.pairs[:, 0])[mine.any(axis=1)]
    distances = twins.distance[mine.any(axis=1)]
    order = np.argsort(distances, kind="stable")
    candidates = [(g, 0)] + [(int(partners[i]), int(distances[i])) for i in order]
    train = np.asarray(fold.train)
    train_groups = twins.group[train]
    fallback = None
    for group, distance in candidates:
        rows = train[train_groups == group]
        if not len(rows):
            continue
        if other_label:
            differ = rows[dataset.y[rows] != dataset.y[row]]
            if len(differ):
                return int(differ[0]), distance
        fallback = fallback or (int(rows[0]), distance)
        if not other_label:
            break
    return fallback


# -- the finding -----------------------------------------------------------------------------

def _finding(check: DuplicatesAcrossFolds, e: dict, blocking: bool) -> Finding:
    exact = e["exact_copies"]
    seen = (f"{e['images']:,} of {e['test_images']:,} test images ({e['share_of_test_images']:.1%})"
            " have a near-duplicate in their fold's training images ("
            + (f"{exact:,} exact cop{'y' if exact == 1 else 'ies'}" if exact else
               "none an exact copy") + ")")
    conflicts = e["label_conflicts"]
    if conflicts:
        seen += (f"; {conflicts:,} of them ha{'s' if conflicts == 1 else 've'} a twin with "
                 "another label, a label conflict: one of the two labels is probably wrong")
    in_full = e["threshold_copies_in_full"]
    counted = (f"Counted as copies, a picture occurring at most {in_full} times in the data "
               f"set in full and one occurring more often by {in_full} over its count (a "
               f"picture that recurs by the hundred is natural repetition), they are "
               f"{e['copy_share_of_test_images']:.1%} of the test images")
    rule = (f"Near-duplicates are images whose perceptual hashes differ in at most "
            f"{e['threshold_max_hash_distance']} of 64 bits and whose pixels, less what every "
            f"image shares, correlate at {e['threshold_min_correlation']:g} or more "
            f"(near-constant images: differ by at most "
            f"{e['threshold_max_mean_abs_difference']:g} of 255 on average).")
    moved = " ".join(_moved(name, m, e["metric"], e["min_gain"])
                     for name, m in e["inflation_by_model"].items() if name is not None) or \
        "No model's predictions could be read to measure the twins' effect."
    advice = ("Remove the duplicate images, or keep copies in one fold: give a table of the "
              "image paths with a group column (--group-col) that names each original, and "
              "run dlcheck again." + (" Check the labels of the conflicting pairs."
                                      if conflicts else ""))
    if blocking:
        sure = e["exact_copy_weight_share_of_test_images"] >= check.blocking_excess
        whose = f"{e['model']}'s score" if e["model"] else "the scores"
        why = (f"the copies raise {whose} by more than the minimum gain"
               if e["inflation_by_model"][e["model"]]["inflates"] else
               f"copies are {e['threshold_fallback_share']:.0%} of the test images or more, "
               f"{e['same_label_share_of_copies']:.0%} of them with their twin's label, and "
               f"their effect on {whose} is not shown to stay below the minimum gain")
        return Finding(
            check.code, "critical",
            f"{seen}. {counted}. {moved} It blocks: {why}. Models are scored on images they "
            f"were trained on: the scores of those not shown to gain less than the minimum "
            f"from it are overstated. {rule}", e, advice, blocking=True,
            confidence="high" if sure else "medium")
    return Finding(
        check.code, "warning",
        f"{seen}: the models are scored on them as if they were new. {counted}. {moved} "
        f"It blocks the verdict only when copies are "
        f"{e['threshold_blocking_share']:.0%} of the test images or more and raise the best "
        "classical or the best deep model's score by more than the minimum gain, or are "
        f"{e['threshold_fallback_share']:.0%} of them or more with their twins' labels and "
        f"not shown to stay below it. {rule}",
        e, advice)


def _moved(name: str | None, m: dict, metric: str, min_gain: float) -> str:
    """What the twins do to one model's score, in a sentence."""
    if m["inflation_ci_low"] is not None:
        return (f"On all test images {name} scores {m['inflation']:+.4f} {metric} against "
                f"its score on those without a twin (95% interval {m['inflation_ci_low']:+.4f}"
                f" to {m['inflation_ci_high']:+.4f}; minimum worthwhile gain {min_gain:g}).")
    if m["harmless"]:
        return (f"{name} scores so close to the ceiling on the test images without a twin, "
                f"on {m['ceiling_folds']} folds, that the twins cannot raise its score by the "
                "minimum gain there.")
    if m["inflation"] is not None:
        ceiling = (f" ({m['ceiling_folds']} more at the ceiling)" if m["ceiling_folds"]
                   else "")
        return (f"On the one fold with room below the ceiling{ceiling}, {name} scores "
                f"{m['inflation']:+.4f} {metric} on all test images against those without a "
                "twin: too few folds for an interval.")
    return (f"Whether the twins raise {name}'s score cannot be measured: no fold has enough "
            "test images without a twin, every class among them, with room below the "
            "ceiling.")

"""Near-duplicate images across training and test folds (`leakage_duplicates` on images):
copies found through their perceptual hash and confirmed on their pixels, distinct look-alikes
of one class left alone."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from dlcheck._config import BUDGETS
from dlcheck.benchmark.scoring import METRICS
from dlcheck.benchmark.splits import make_folds
from dlcheck.checks import CheckContext
from dlcheck.checks.image_duplicates import (
    RULE,
    confirmed,
    find_twins,
    fold_image_twins,
    hash_candidates,
    perceptual_hashes,
)
from dlcheck.checks.leakage import DuplicatesAcrossFolds
from dlcheck.data.images.synthetic import noise_images, write_image_folder
from dlcheck.data.loading import load_dataset

CHECK = DuplicatesAcrossFolds()


class _Results:
    """What the check reads of the benchmark: the folds, the metric, and the best model with
    its out-of-fold probabilities (or one best model per family, `models`)."""

    def __init__(self, split, model, out_of_fold):
        self.split, self.metric = split, METRICS["accuracy"]
        self.model, self.out_of_fold = model, {model.name: out_of_fold}
        self.models = [model]

    def best(self, families=None):
        return next((m for m in self.models if families is None or m.family in families),
                    None)


def _context(images: np.ndarray, labels, root, family: str = "deep") -> CheckContext:
    """The images written as a folder and read back as the engine reads them, with the
    benchmark's folds and a best model of `family` that memorises: out of fold it gives the
    true class to every test image with a twin in its fold's training part, and guesses
    (uniform probabilities) for the others."""
    dataset, _ = load_dataset(write_image_folder(images, labels, root), None)
    split = make_folds(dataset.y, True, 5, 1, seed=0)
    twins = find_twins(dataset.pixels)
    k = len(dataset.classes)
    oof = np.full((dataset.n_rows, k), 1.0 / k)
    rng = np.random.default_rng(0)
    for fold in split.first_repeat:
        test = np.asarray(fold.test)
        oof[test] = rng.dirichlet(np.ones(k), len(test))
        seen = test[fold_image_twins(twins, dataset.y, fold).twin]
        oof[seen] = np.eye(k)[dataset.y[seen]]
    model = SimpleNamespace(name="memoriser", family=family, mean=0.5)
    return CheckContext(dataset=dataset, results=_Results(split, model, oof),
                        budget=BUDGETS["quick"])


def _share(context: CheckContext) -> float:
    twins = find_twins(context.dataset.pixels)
    folds = context.results.split.first_repeat
    hits = sum(int(fold_image_twins(twins, context.dataset.y, f).twin.sum()) for f in folds)
    return hits / sum(len(f.test) for f in folds)


def _jpeg(image: np.ndarray, quality: int = 90) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer))


def _altered(image: np.ndarray, how: int) -> np.ndarray:
    if how == 0:
        return image.copy()
    if how == 1:  # brighter by 10
        return np.clip(image.astype(int) + 10, 0, 255).astype(np.uint8)
    if how == 2:  # one pixel changed
        out = image.copy()
        out[3, 4] = 255 - out[3, 4]
        return out
    return _jpeg(image)  # re-saved as JPEG


def _with_copies(share: float, n: int = 600, seed: int = 0):
    """Noise images where `share` of them are copies of others (exact, brighter, one pixel
    changed, re-saved as JPEG in turn), each with its original's label; and the file names
    (as the dataset's paths) of each (copy, original) pair."""
    images, labels = noise_images(n, size=32, n_classes=3, seed=seed)
    rng = np.random.default_rng(seed + 1)
    k = int(round(share * n))
    chosen = rng.permutation(n)[:2 * k]
    copies, originals = chosen[:k], chosen[k:]
    for t, (c, o) in enumerate(zip(copies, originals, strict=True)):
        images[c] = _altered(images[o], t % 4)
        labels[c] = labels[o]

    def path(i):
        return f"{labels[i]}/{i:05d}.png"

    return images, labels, {frozenset((path(c), path(o))) for c, o in
                            zip(copies, originals, strict=True)}


def test_distinct_random_textures_have_no_twin(tmp_path):
    images, labels = noise_images(600, size=32, n_classes=3)
    context = _context(images, labels, tmp_path / "noise")
    assert CHECK.run(context) == []
    twins = find_twins(context.dataset.pixels)
    assert twins.n_distinct == 600 and len(twins.pairs) == 0


def test_five_percent_of_copies_warn_and_name_the_right_pairs(tmp_path):
    images, labels, pairs = _with_copies(0.05)
    context = _context(images, labels, tmp_path / "copied")
    [finding] = CHECK.run(context)
    e = finding.evidence
    assert finding.check == "leakage_duplicates" and finding.severity == "warning"
    assert not finding.blocking
    assert CHECK.warning_share <= e["share_of_test_images"] < CHECK.blocking_excess
    # Every copy is found: each pair split across folds gives two test images with a twin.
    assert e["repeated_images"] + e["confirmed_pairs"] == len(pairs)
    assert e["label_conflicts"] == 0
    assert 0 < e["exact_copies"] < e["images"]
    examples = e["example_pairs"]
    assert 0 < len(examples) <= CHECK.n_examples
    for ex in examples:
        assert frozenset((ex["test_file"], ex["train_file"])) in pairs
        assert ex["same_label"] and 0 <= ex["hash_distance"] <= RULE.max_hash_distance
        assert ex["test_image"].startswith("data:image/png;base64,")
        assert ex["train_image"].startswith("data:image/png;base64,")
    assert f"{e['images']} of {e['test_images']:,} test images" in finding.summary
    assert "--group-col" in finding.advice
    json.dumps(finding.to_dict(), allow_nan=False)  # report.json can carry it


def test_twenty_percent_of_copies_block_when_they_inflate_the_score(tmp_path):
    images, labels, pairs = _with_copies(0.20)
    context = _context(images, labels, tmp_path / "copied")
    [finding] = CHECK.run(context)
    assert finding.severity == "critical" and finding.blocking
    assert finding.evidence["inflation_ci_low"] > finding.evidence["min_gain"]
    assert finding.evidence["share_of_test_images"] >= CHECK.blocking_excess
    assert finding.evidence["repeated_images"] == len(pairs) // 4
    assert finding.evidence["confirmed_pairs"] == len(pairs) - len(pairs) // 4
    # A quarter of the copies are exact, fewer than 10% of test images: medium confidence.
    assert finding.confidence == "medium"


def test_copies_a_linear_model_memorises_block_as_a_networks_do(tmp_path):
    # A linear model on hundreds of pixels memorises a copy too: the rule reads the gain,
    # whichever side of the ladder the best model is on.
    images, labels, _ = _with_copies(0.20)
    [finding] = CHECK.run(_context(images, labels, tmp_path / "copied", family="linear"))
    assert finding.severity == "critical" and finding.blocking


@pytest.mark.parametrize("family", ["linear", "deep"])
def test_a_picture_that_recurs_many_times_warns_without_blocking(tmp_path, family):
    # Two thirds of one class (30% of the images) are one black frame: natural repetition,
    # which a model predicts from many copies as it would a new frame. The verdict must not
    # hang on it.
    images, labels = noise_images(300, size=32, n_classes=2, seed=5)
    frames = np.flatnonzero(labels == "c0")[: int(np.sum(labels == "c0")) // 3 * 2]
    images[frames] = 0
    [finding] = CHECK.run(_context(images, labels, tmp_path / "frames", family=family))
    e = finding.evidence
    assert e["share_of_test_images"] >= CHECK.blocking_excess
    assert e["copy_share_of_test_images"] < 0.02  # a hundred frames count as four copies
    assert finding.severity == "warning" and not finding.blocking


@pytest.mark.parametrize("times", [2, 6])
def test_every_image_copied_several_times_blocks(tmp_path, times):
    # Perfect copies of every image: no test image lacks a twin, and a picture that occurs
    # six times still counts as a copy (two thirds of one).
    originals, labels = noise_images(480 // times, size=32, n_classes=2, seed=8)
    [finding] = CHECK.run(_context(np.tile(originals, (times, 1, 1)), np.tile(labels, times),
                                   tmp_path / "copies"))
    assert finding.evidence["inflation_folds"] == 0
    assert finding.blocking and finding.confidence == "high"
    assert "copies are 30% of the test images or more, 100% of them with their twin's" \
        in finding.summary


def test_blank_frames_of_both_labels_do_not_speak_for_the_copies(tmp_path):
    # Every image twice, and 70 black frames of alternating labels: the frames hardly count as
    # copies, so their label conflicts must not bring the copies' same-label share under 90%.
    originals, labels = noise_images(120, size=32, n_classes=2, seed=10)
    images = np.concatenate([originals, originals, np.zeros((70, 32, 32), np.uint8)])
    labels = np.concatenate([labels, labels, np.array(["c0", "c1"] * 35)])
    [finding] = CHECK.run(_context(images, labels, tmp_path / "mixed"))
    e = finding.evidence
    assert e["label_conflicts"] > 0 and e["same_label_share_of_copies"] >= 0.9
    assert finding.blocking


def test_copies_cannot_block_where_scores_are_at_the_ceiling(tmp_path):
    # A model right on every image: the twins cannot raise its score by the minimum gain,
    # whatever their share, so the fallback for an unmeasured inflation must not fire.
    images, labels, _ = _with_copies(0.40)
    context = _context(images, labels, tmp_path / "copied")
    y = context.dataset.y
    context.results.out_of_fold["memoriser"] = np.eye(len(context.dataset.classes))[y]
    [finding] = CHECK.run(context)
    assert finding.evidence["inflation_by_model"]["memoriser"]["harmless"]
    assert not finding.blocking and "close to the ceiling" in finding.summary


def test_a_perfect_network_does_not_silence_a_linear_model_that_copies_inflate(tmp_path):
    # Each side judged on its own: the CNN at the ceiling cannot show inflation, the linear
    # model right only on the copies can, and its bias of the comparison blocks.
    images, labels, _ = _with_copies(0.40)
    context = _context(images, labels, tmp_path / "copied", family="linear")
    results = context.results
    cnn = SimpleNamespace(name="cnn", family="deep", mean=0.9)
    results.models.append(cnn)
    results.out_of_fold["cnn"] = np.eye(len(context.dataset.classes))[context.dataset.y]
    [finding] = CHECK.run(context)
    by_model = finding.evidence["inflation_by_model"]
    assert by_model["cnn"]["harmless"] and not by_model["memoriser"]["harmless"]
    assert finding.blocking and finding.evidence["model"] == "memoriser"


def test_still_frames_with_sensor_noise_count_as_one_picture(tmp_path):
    # 400 frames of one empty scene, each with a grey level of noise, among 200 images:
    # natural repetition, not 400 copies, even though each frame confirms only its closest
    # candidates.
    rng = np.random.default_rng(9)
    images, labels = noise_images(600, size=32, n_classes=2, seed=9)
    scene = rng.integers(40, 200, (32, 32))
    frames = rng.permutation(600)[:400]
    images[frames] = np.clip(scene + rng.integers(-1, 2, (400, 32, 32)), 0, 255)
    [finding] = CHECK.run(_context(images, labels, tmp_path / "frames"))
    assert finding.evidence["copy_share_of_test_images"] < 0.02
    assert not finding.blocking


def test_jpeg_copies_of_a_small_set_block_without_exact_copies(tmp_path):
    # 150 images, each also re-saved as JPEG: too few test images lack a twin to measure the
    # inflation, and near-duplicates with their original's label on most of them block.
    originals, labels = noise_images(150, size=32, n_classes=2, seed=6)
    images = np.concatenate([originals, np.stack([_jpeg(i, 85) for i in originals])])
    [finding] = CHECK.run(_context(images, np.concatenate([labels, labels]),
                                   tmp_path / "resaved"))
    e = finding.evidence
    assert e["exact_copies"] == 0 and e["inflation_folds"] < 2
    assert e["share_of_test_images"] >= CHECK.fallback_excess
    assert finding.blocking and finding.confidence == "medium"
    assert "too few folds for an interval" in finding.summary or \
        "cannot be measured: no fold has enough test images without a twin" in finding.summary


def test_objects_on_a_fixed_backdrop_are_not_duplicates(tmp_path):
    # One textured scene behind every image, a small patch of its own (under 1% of the
    # pixels) at a random place: the raw pixels of any two correlate above 0.99, what they
    # add to the scene does not.
    rng = np.random.default_rng(7)
    scene = rng.integers(0, 256, (48, 48), dtype=np.uint8)
    images = np.repeat(scene[None], 200, axis=0)
    for image in images:
        r, c = rng.integers(0, 44, 2)
        image[r:r + 4, c:c + 4] = rng.integers(0, 256, (4, 4))
    labels = np.array(["c0", "c1"] * 100)
    context = _context(images, labels, tmp_path / "backdrop")
    assert _share(context) < 0.01
    assert CHECK.run(context) == []


def test_exact_copies_alone_block_with_high_confidence(tmp_path):
    images, labels = noise_images(300, size=32, n_classes=2)
    images[150:], labels[150:] = images[:150], labels[:150]  # the set read twice
    [finding] = CHECK.run(_context(images, labels, tmp_path / "twice"))
    assert finding.blocking and finding.confidence == "high"
    assert finding.evidence["exact_copy_share_of_test_images"] >= CHECK.blocking_excess


def test_a_copy_with_another_label_is_a_label_conflict(tmp_path):
    images, labels = noise_images(400, size=32, n_classes=2, seed=3)
    for c, o in zip(range(0, 40, 2), range(1, 40, 2), strict=True):
        images[c] = images[o]
        labels[c] = "c1" if labels[o] == "c0" else "c0"
    [finding] = CHECK.run(_context(images, labels, tmp_path / "conflict"))
    e = finding.evidence
    assert e["label_conflicts"] == e["images"] > 0
    assert all(not ex["same_label"] for ex in e["example_pairs"])
    assert "label conflict" in finding.summary


def test_distinct_digits_of_one_class_are_not_duplicates(tmp_path):
    # Handwritten digits of one class hash alike, but their pixels tell them apart.
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = np.clip(digits.images * 16, 0, 255).astype(np.uint8)
    context = _context(images, digits.target, tmp_path / "digits")
    twins = find_twins(context.dataset.pixels)
    assert twins.n_candidates > 10 * len(twins.pairs)  # the hash alone would flag many
    assert _share(context) < 0.01
    assert CHECK.run(context) == []


def test_contrast_brightness_and_jpeg_copies_of_digits_are_confirmed():
    # What each digit adds to the median image (black), and contrast that scales the strokes
    # but not the scene: every altered copy still correlates at 0.99.
    from sklearn.datasets import load_digits

    digits = np.clip(load_digits().images[:200] * 16, 0, 255).astype(np.uint8)
    big = np.stack([np.asarray(Image.fromarray(d).resize((32, 32))) for d in digits])
    pixels = np.concatenate([big, np.stack([
        (big[i] * 0.8).astype(np.uint8) if i % 3 == 0 else
        np.clip(big[i].astype(int) + 10, 0, 255).astype(np.uint8) if i % 3 == 1 else
        _jpeg(big[i], 75) for i in range(len(big))])])[:, None]
    from dlcheck.checks.image_duplicates import background

    n = len(big)
    ok = confirmed(pixels, np.arange(n), np.arange(n) + n, RULE, background(pixels))
    assert ok.all(), np.flatnonzero(~ok)


def test_hash_candidates_find_close_hashes_and_keep_the_closest():
    hashes = np.array([0, 0b111, 1 << 40, (1 << 64) - 1, 0b1], dtype=np.uint64)
    a, b, d = hash_candidates(hashes, 6, 20)
    assert sorted(zip(a.tolist(), b.tolist(), d.tolist(), strict=True)) == [
        (0, 1, 3), (0, 2, 1), (0, 4, 1), (1, 2, 4), (1, 4, 2), (2, 4, 2)]
    a, b, _ = hash_candidates(hashes, 6, 1)
    assert all(0 in pair or 4 in pair for pair in zip(a, b, strict=True))


def test_pixels_confirm_brightness_and_reject_a_different_image():
    images, _ = noise_images(3, size=32)
    pixels = images[:, None]
    pixels[1, 0] = _altered(images[0], 1)
    assert confirmed(pixels, np.array([0, 0]), np.array([1, 2]), RULE).tolist() == [True, False]
    blank = np.zeros((2, 1, 8, 8), dtype=np.uint8)
    blank[1] += 5  # constant images: no correlation, the difference decides
    assert confirmed(blank, np.array([0]), np.array([1]), RULE).tolist() == [True]
    hashes = perceptual_hashes(pixels)
    assert hashes.dtype == np.uint64 and np.bitwise_count(hashes[0] ^ hashes[1]) <= 2


@pytest.mark.parametrize("channels", [1, 3])
def test_grey_and_colour_images_hash(channels):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (4, channels, 16, 16), dtype=np.uint8)
    hashes = perceptual_hashes(pixels)
    assert len(np.unique(hashes)) == 4

"""The image ladder's models as estimators: features, the networks, augmentation and the
pretrained checkpoint's loading path (with a small checkpoint written here)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlcheck._config import get_budget
from dlcheck.data.images.dataset import ImageFeatures
from dlcheck.data.images.synthetic import brightness_images
from dlcheck.models.images.estimator import ImageNetworkClassifier, shift_batch
from dlcheck.models.images.features import DownscaledPixels, HogFeatures
from dlcheck.models.registry import ladder_for, not_tried
from dlcheck.models.spec import ModelContext
from dlcheck.models.training import TensorSet


def _images(n=60, size=16):
    images, labels = brightness_images(n, size=size, gap=80)
    return images[:, None], (labels == "bright").astype(int)


def test_downscaled_pixels_average_blocks_to_at_most_16_per_side():
    X = np.zeros((2, 1, 32, 32), np.uint8)
    X[:, :, :2, :2] = 255
    features = DownscaledPixels().fit_transform(X)
    assert features.shape == (2, 256) and features[0, 0] == pytest.approx(1.0)
    assert features[0, 1] == 0


def test_hog_reads_grey_and_colour_images():
    grey = np.random.default_rng(0).integers(0, 255, (3, 1, 28, 28), dtype=np.uint8)
    colour = np.repeat(grey, 3, axis=1)
    assert HogFeatures().fit_transform(grey).shape == HogFeatures().fit_transform(colour).shape


def test_hog_descriptors_served_again_are_those_of_the_same_image():
    # Each fit of a worker describes the same images again: a descriptor is computed once per
    # image content, so a changed pixel (a probe's noise) gives a new one, never a stale one.
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (60, 1, 20, 20), dtype=np.uint8)
    first = HogFeatures().transform(images)
    altered = images.copy()
    altered[::2, 0, 5, 5] ^= 0xFF
    again = HogFeatures().transform(altered[::-1])
    fresh = HogFeatures()._hog(altered, 4)
    assert np.array_equal(again, fresh[::-1])
    assert np.array_equal(again[::-1][1::2], first[1::2])  # the untouched images
    assert not np.array_equal(again[::-1][::2], first[::2])


def test_shifts_move_each_image_and_flips_only_when_asked():
    x = torch.zeros(64, 1, 8, 8, dtype=torch.uint8)
    x[:, :, 3, 3] = 255
    batch = TensorSet((x,), torch.zeros(64))
    moved = shift_batch(batch, torch.Generator().manual_seed(0), 2, flip=False).inputs[0]
    positions = {tuple(torch.nonzero(m[0])[0].tolist()) for m in moved if m.any()}
    assert len(positions) > 5 and all(abs(r - 3) <= 2 and abs(c - 3) <= 2 for r, c in positions)
    x = torch.zeros(64, 1, 8, 8, dtype=torch.uint8)
    x[:, :, 0, 0] = 255
    flipped = shift_batch(TensorSet((x,), torch.zeros(64)), torch.Generator().manual_seed(0),
                          0, flip=True).inputs[0]
    assert 10 < int(flipped[:, 0, 0, 7].bool().sum()) < 54


@pytest.mark.parametrize("architecture", ["cnn", "resnet"])
def test_networks_learn_brightness_and_give_probabilities(architecture):
    X, y = _images()
    model = ImageNetworkClassifier(architecture=architecture, channels=8, max_epochs=8,
                                   patience=4, random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (60, 2) and np.allclose(proba.sum(axis=1), 1)
    assert (model.predict(X) == y).mean() > 0.8
    assert model.input_gradient(X[:4], y[:4]).shape == X[:4].shape


def test_a_pretrained_checkpoint_is_loaded_and_fine_tuned(tmp_path):
    from dlcheck.models.images.torchvision_import import torchvision

    resnet = torchvision().models.resnet
    source = resnet.ResNet(resnet.BasicBlock, [1, 1, 1, 1], num_classes=1000)
    path = tmp_path / "resnet10-small.pth"
    torch.save(source.state_dict(), path)
    X, y = _images(40, size=16)
    # lr 0 and no weight decay: the fitted backbone must be the checkpoint's, weight for weight
    model = ImageNetworkClassifier(architecture="pretrained", weights=str(path), lr=0.0,
                                   weight_decay=0.0, max_epochs=1, patience=1).fit(X, y)
    backbone = model.module_[1]
    assert torch.equal(backbone.conv1.weight, source.conv1.weight)
    assert torch.equal(backbone.layer4[0].conv2.weight, source.layer4[0].conv2.weight)
    assert model.predict_proba(X).shape == (40, 2)


def test_a_file_that_is_not_a_resnet_checkpoint_fails_clearly(tmp_path):
    path = tmp_path / "other.pth"
    torch.save({"weight": torch.zeros(3)}, path)
    X, y = _images(40)
    with pytest.raises(ValueError, match="not a torchvision ResNet checkpoint"):
        ImageNetworkClassifier(architecture="pretrained", weights=str(path)).fit(X, y)


def test_the_pretrained_rung_is_in_the_ladder_only_with_weights(tmp_path):
    without = ImageFeatures(channels=1, size=16)
    names = [spec.name for spec in ladder_for("image", without)]
    assert "pretrained_resnet" not in names and {"cnn", "resnet", "hog_lightgbm"} <= set(names)
    assert "--weights" in not_tried("image", without)["pretrained_resnet"]
    with_weights = ImageFeatures(channels=1, size=16, weights=str(tmp_path / "w.pth"))
    assert "pretrained_resnet" in [spec.name for spec in ladder_for("image", with_weights)]
    assert not not_tried("image", with_weights)


def test_every_rung_fits_and_predicts_in_a_pipeline():
    X, y = _images(60)
    features = ImageFeatures(channels=1, size=16)
    context = ModelContext(task="binary", features=features, budget=get_budget("quick"))
    for spec in ladder_for("image", features):
        pipeline = spec.build(context)
        if spec.family == "deep":
            pipeline.set_params(model__max_epochs=2)
        pipeline.fit(X, y)
        assert pipeline.predict_proba(X).shape == (60, 2), spec.name


def _confidence_figures(random: float, black: float) -> dict:
    return {"confidence": {"chance": 0.5, "test": 0.95, "random": random,
                           "random_median": random, "random_share_above_0.9": 0.0,
                           "random_top_class": 0, "random_top_class_share": 0.9,
                           "black": black, "black_class": 1, "white": 0.6, "white_class": 0}}


def test_a_model_confident_on_noise_images_is_flagged_and_a_blank_image_alone_is_not():
    from dlcheck.checks.image_robustness import _confidence
    from dlcheck.checks.robustness import Robustness

    figures = {"cnn": _confidence_figures(0.97, 0.6), "hog_linear": _confidence_figures(0.6, 0.99)}
    finding = _confidence(Robustness(), figures, ["cat", "dog"])
    assert finding.severity == "warning" and finding.evidence["confident_on_noise"] == ["cnn"]
    assert "cnn 0.97 (class 'cat'" in finding.summary
    calm = _confidence(Robustness(), {"hog_linear": _confidence_figures(0.6, 0.99)},
                       ["cat", "dog"])
    assert calm.severity == "info" and "all-black image is 'dog'" in calm.summary


def test_a_wider_image_network_counts_more_work_as_measured():
    # The permutation test and the job limits count work: per epoch a standard-budget CNN
    # (16 channels) took 2.2x a quick one (8), a thorough one (32) 7.3x; counted 2.5x, 6.1x.
    from types import SimpleNamespace

    from dlcheck.models.registry import get_model

    cnn = get_model("cnn", "image")
    log = SimpleNamespace(epochs=10)
    work = {c: cnn.work_seconds(1000, 784, SimpleNamespace(channels=c, training_log_=log))
            for c in (8, 16, 32)}
    assert work[16] == pytest.approx(2 ** 1.3 * work[8])
    assert work[32] == pytest.approx(4 ** 1.3 * work[8])
    pretrained = get_model("pretrained_resnet", "image")
    fixed = [pretrained.work_seconds(1000, 784, SimpleNamespace(channels=c, training_log_=log))
             for c in (8, 32)]
    assert fixed[0] == fixed[1]  # a fixed architecture: its channels are not a width

"""Whole assessments of image sets where the right answer is known, and the command line on
a folder of images."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import dlcheck
from dlcheck.data.images.synthetic import (
    brightness_images,
    noise_images,
    shape_images,
    write_image_folder,
)
from tests.helpers import SMOKE_BUDGET


@pytest.mark.slow
def test_classes_that_differ_in_brightness_recommend_a_linear_model(tmp_path):
    images, labels = brightness_images(200, size=12)
    report = dlcheck.assess(write_image_folder(images, labels, tmp_path / "shade"),
                            budget=SMOKE_BUDGET).report
    verdict = report["verdict"]
    assert verdict["decision"] == "classical", verdict
    family = {m["name"]: m["family"] for m in report["models"]}
    assert family[verdict["recommended_model"]] == "linear"
    assert {"cnn", "resnet", "linear_pixels", "hog_linear", "hog_lightgbm"} <= set(family)
    assert "Transfer learning" in verdict["outlook"] and "not tried" in verdict["outlook"]
    # Networks are not brains: every model's confidence on noise and on blank images.
    [confident] = [f for f in report["findings"] if f["check"] == "robustness"
                   and "images of random noise" in f["summary"]]
    assert all({"random", "black", "white"} <= set(m)
               for m in confident["evidence"]["models"].values())
    assert "all-black image" in confident["summary"]
    assert report["dataset"]["kind"] == "image" and report["dataset"]["sample_images"]
    # Black boxes: occlusion maps of the best classical and the best deep model, side by side.
    [explained] = [f for f in report["findings"] if f["check"] == "explainability"]
    example = explained["evidence"]["examples"][0]
    maps = [k for k in example if k.endswith(" map")]
    assert len(maps) == 2 and all(example[k].startswith("data:image/png") for k in maps)


@pytest.mark.slow
def test_a_small_shape_anywhere_over_texture_gives_deep_learning(tmp_path):
    # An 'L' or a 'T' at a random position: the same edges for HOG and pixel averages, a
    # junction that a convolution finds wherever it lies (one fold: CNN AUC 1.00, HOG 0.63).
    images, labels = shape_images(400, size=16)
    budget = replace(SMOKE_BUDGET, max_epochs=60, deep_row_passes=200_000, patience=8)
    report = dlcheck.assess(write_image_folder(images, labels, tmp_path / "shape"),
                            budget=budget, skip_checks=["permutation_test", "learning_curves",
                                                        "robustness", "wrong_labels"]).report
    verdict = report["verdict"]
    assert verdict["decision"] == "deep_learning", verdict
    assert {m["name"]: m["family"] for m in report["models"]}[
        verdict["recommended_model"]] == "deep"


@pytest.mark.slow
def test_random_noise_images_with_random_labels_give_no_signal(tmp_path):
    # Enough shuffles for the permutation test to decide: on 3 folds alone a model of 900 HOG
    # features on 200 training images can look better than the dummy by chance.
    images, labels = noise_images(300, size=12)
    report = dlcheck.assess(write_image_folder(images, labels, tmp_path / "noise"),
                            budget=replace(SMOKE_BUDGET, n_permutations=19)).report
    assert report["verdict"]["decision"] == "no_signal", report["verdict"]


@pytest.mark.slow
def test_the_command_line_runs_a_folder_of_images(run_cli, tmp_path):
    images, labels = brightness_images(80, size=8, gap=60)
    folder = write_image_folder(images, labels, tmp_path / "shade")
    skip = [arg for code in ("permutation_test", "learning_curves", "robustness", "tuning",
                             "wrong_labels") for arg in ("--skip-check", code)]
    result = run_cli("run", str(folder), "--out", str(tmp_path / "out"), "--quiet", *skip)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["dataset"]["target"] == "shade" and report["dataset"]["rows"] == 80
    assert report["protocol"]["options"]["image_size"] is None
    page = (tmp_path / "out" / "report.html").read_text()
    assert page.count('alt="an image of class') == 16  # 8 sample images of each class


@pytest.mark.parametrize("make, message", [
    (lambda root: (root / "only").mkdir(parents=True) or write_image_folder(
        *brightness_images(30, size=8), root / "only" / "x"), "no class subfolders"),
    (lambda root: write_image_folder(brightness_images(30, size=8)[0], ["a"] * 30, root),
     "single class"),
], ids=["nested_too_deep", "single_class"])
def test_a_bad_folder_is_one_line_and_exit_status_2(run_cli, tmp_path, make, message):
    root = tmp_path / "data"
    make(root)
    target = root / "only" / "x" / "bright" if message.startswith("no class") else root
    result = run_cli("run", str(target), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_image_column_the_table_lacks_is_one_line(run_cli, tmp_path):
    table = tmp_path / "images.csv"
    table.write_text("file,label\n" + "".join(f"{i}.png,a\n" for i in range(30)))
    result = run_cli("run", str(table), "--target", "label", "--image-col", "path",
                     "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "--image-col column 'path'" in result.stderr

"""Reading a user's images: the folder and table layouts, sizes and colours, and every kind of
bad input giving a finding or one line that says what to do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from dlcheck.data.images.synthetic import brightness_images, write_image_folder
from dlcheck.data.loading import load_dataset
from dlcheck.errors import DataError


@pytest.fixture()
def folder(tmp_path):
    images, labels = brightness_images(40, size=12)
    return write_image_folder(images, labels, tmp_path / "shade")


def _codes(dataset):
    return [f.check for f in dataset.findings]


def test_a_folder_of_class_subfolders_becomes_labelled_images(folder):
    dataset, source = load_dataset(folder, None)
    assert dataset.kind == "image" and source == "shade"
    assert dataset.target == "shade"  # the folder's name when no target is given
    assert dataset.classes == ["bright", "dark"] and dataset.task == "binary"
    assert dataset.pixels.shape == (40, 1, 12, 12) and dataset.pixels.dtype == np.uint8
    assert len(dataset.paths) == 40 and dataset.paths[0].split("/")[0] in dataset.classes
    labels = np.array([p.split("/")[0] for p in dataset.paths])
    assert (np.array(dataset.classes)[dataset.y] == labels).all()


def test_mixed_sizes_are_padded_to_one_size_keeping_the_aspect_ratio(tmp_path):
    root = tmp_path / "mixed"
    for label in ("a", "b"):
        (root / label).mkdir(parents=True)
        for i in range(12):
            Image.new("L", (20, 10), color=200).save(root / label / f"wide{i}.png")
            Image.new("L", (10, 10), color=200).save(root / label / f"square{i}.png")
    dataset, _ = load_dataset(root, None, image_size=10)
    assert dataset.pixels.shape[1:] == (1, 10, 10)
    wide = dataset.pixels[[i for i, p in enumerate(dataset.paths) if "wide" in p]][0, 0]
    # 20x10 scaled to 10x5 and centred on black: bright middle rows, black top and bottom.
    assert wide[5, 5] > 150 and wide[0, 5] == 0 and wide[-1, 5] == 0
    assert dataset.describe()["resized_images"] == 24


def test_one_colour_image_makes_every_image_three_channels(folder):
    Image.new("RGB", (12, 12), color=(255, 0, 0)).save(folder / "dark" / "red.png")
    dataset, _ = load_dataset(folder, None)
    assert dataset.pixels.shape[1] == 3
    grey = dataset.pixels[0]
    assert (grey[0] == grey[1]).all() and (grey[1] == grey[2]).all()


def test_unreadable_files_are_left_out_with_a_finding(folder):
    (folder / "dark" / "empty.png").write_bytes(b"")
    (folder / "dark" / "text.png").write_text("not an image")
    good = (folder / "bright").glob("*.png").__next__().read_bytes()
    (folder / "bright" / "truncated.png").write_bytes(good[:len(good) // 2])
    dataset, _ = load_dataset(folder, None)
    assert dataset.n_rows == 40
    [finding] = [f for f in dataset.findings if f.check == "unreadable_images"]
    assert finding.evidence["unreadable"] == 3
    assert "empty" in " ".join(finding.evidence["examples"].values())


def test_an_empty_class_folder_is_a_finding(folder):
    (folder / "nothing").mkdir()
    dataset, _ = load_dataset(folder, None)
    assert "empty_class_folders" in _codes(dataset) and dataset.classes == ["bright", "dark"]


@pytest.mark.parametrize("setup, message", [
    (lambda root: [p.unlink() for p in (root / "bright").iterdir()], "single class"),
    (lambda root: [p.write_bytes(b"") for d in root.iterdir() for p in d.iterdir()],
     "could be read"),
], ids=["single_class", "nothing_readable"])
def test_a_folder_no_benchmark_can_use_is_one_line(folder, setup, message):
    setup(folder)
    with pytest.raises(DataError, match=message) as error:
        load_dataset(folder, None)
    assert "\n" not in str(error.value)


def test_a_folder_without_class_subfolders_says_how_to_lay_it_out(tmp_path):
    Image.new("L", (8, 8)).save(tmp_path / "a.png")
    with pytest.raises(DataError, match="is a folder with no class subfolders"):
        load_dataset(tmp_path, None)


def test_regression_on_images_is_refused_with_one_line(folder):
    with pytest.raises(DataError, match="classified"):
        load_dataset(folder, None, task="regression")


def test_a_table_of_image_paths_with_groups(folder):
    rows = [{"file": f"shade/{p.parent.name}/{p.name}", "label": p.parent.name,
             "patient": f"p{i % 7}"} for i, p in enumerate(sorted(folder.rglob("*.png")))]
    table = folder.parent / "images.csv"
    pd.DataFrame(rows).to_csv(table, index=False)
    dataset, _ = load_dataset(table, "label", image_col="file", group_col="patient")
    assert dataset.kind == "image" and dataset.n_rows == 40
    assert set(dataset.groups) == {f"p{i}" for i in range(7)}


def test_a_path_outside_the_tables_folder_is_refused(folder, tmp_path):
    table = folder / "dark" / "list.csv"
    pd.DataFrame({"file": ["../../../etc/passwd"] * 30, "y": ["a", "b"] * 15}).to_csv(
        table, index=False)
    with pytest.raises(DataError, match="outside"):
        load_dataset(table, "y", image_col="file")


def test_missing_image_column_suggests_the_name(folder):
    table = folder.parent / "images.csv"
    pd.DataFrame({"file": ["x.png"] * 30, "y": [0, 1] * 15}).to_csv(table, index=False)
    with pytest.raises(DataError, match="'files'.*Did you mean 'file'"):
        load_dataset(table, "y", image_col="files")


def test_weights_that_are_not_a_file_are_refused(folder, tmp_path):
    with pytest.raises(DataError, match="not a file"):
        load_dataset(folder, None, weights=tmp_path / "nope.pth")


def test_weights_in_the_torch_hub_cache_are_found(folder, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    dataset, _ = load_dataset(folder, None)
    assert dataset.features.weights is None
    checkpoints = tmp_path / "torch" / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    (checkpoints / "resnet18-f37072fd.pth").write_bytes(b"x")
    dataset, _ = load_dataset(folder, None)
    assert dataset.features.weights.endswith("resnet18-f37072fd.pth")
    assert "hub cache" in dataset.weights_origin

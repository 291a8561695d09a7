"""Where a labelled image set's files are and what each is labelled: a folder of class
subfolders (torchvision's ImageFolder convention), or a table with a column of image paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dlcheck.errors import DataError
from dlcheck.findings import Finding

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp"})
"""The files read as images; other files in the class folders (notes, .DS_Store) are ignored
and counted."""


@dataclass
class ImageSource:
    """The image files of a labelled set, in a fixed order, with what they are labelled."""

    root: Path
    paths: list[Path]
    labels: pd.Series
    """One label per path, named as the target."""
    groups: pd.Series | None = None
    kind: str = "folder"
    """'folder' (class subfolders) or 'table' (an image-path column)."""
    image_col: str | None = None
    findings: list[Finding] = field(default_factory=list)
    ignored_files: int = 0


def is_image_folder(path: Path) -> bool:
    return path.is_dir()


def scan_folder(root: Path) -> ImageSource:
    """The images of a folder with one subfolder per class. Files whose real path lies outside
    the folder (a link out of it) are left out, with a finding; so are empty class folders."""
    root = Path(root)
    try:
        entries = sorted(p for p in root.iterdir() if not p.name.startswith("."))
    except OSError as exc:
        raise DataError(f"cannot read the folder {root}: {exc.strerror}.") from None
    class_dirs = [p for p in entries if p.is_dir()]
    loose = [p for p in entries if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    if not class_dirs:
        hint = (f" ({len(loose)} images lie directly in it)" if loose else "")
        raise DataError(f"{root} is a folder with no class subfolders{hint}: give the path of "
                        "a CSV, TSV or Parquet file, or, for images, put those of each class in "
                        "a subfolder named after the class (root/cat/1.png, root/dog/2.png).")
    real_root = root.resolve()
    paths: list[Path] = []
    labels: list[str] = []
    empty: list[str] = []
    outside: list[str] = []
    ignored = len(loose)
    for class_dir in class_dirs:
        found = 0
        for path in sorted(class_dir.rglob("*")):
            if path.is_dir() or path.name.startswith("."):
                continue
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                ignored += 1
                continue
            if not path.resolve().is_relative_to(real_root):
                outside.append(str(path.relative_to(root)))
                continue
            paths.append(path)
            labels.append(class_dir.name)
            found += 1
        if not found:
            empty.append(class_dir.name)
    findings = []
    if empty:
        findings.append(Finding(
            check="empty_class_folders", severity="warning",
            summary=f"{len(empty)} class folder(s) hold no image and are left out: "
                    + ", ".join(repr(c) for c in empty[:10]) + ".",
            evidence={"classes": empty, "suffixes_read": sorted(IMAGE_SUFFIXES)},
            advice="Add images to these classes or remove the folders; only "
                   + ", ".join(sorted(IMAGE_SUFFIXES)) + " files are read.",
        ))
    if outside:
        findings.append(Finding(
            check="images_outside_folder", severity="warning",
            summary=f"{len(outside)} image(s) are links to files outside {root.name}/ and are "
                    "left out.",
            evidence={"examples": outside[:10]},
            advice="Copy the images into the folder if they belong to the data set.",
        ))
    if not paths:
        raise DataError(f"no image files ({', '.join(sorted(IMAGE_SUFFIXES))}) in the class "
                        f"subfolders of {root}: add images, or check the folder.")
    return ImageSource(root=root, paths=paths, labels=pd.Series(labels, name=root.name),
                       findings=findings, ignored_files=ignored)


def from_table(table: pd.DataFrame, table_path: Path | None, image_col: str, target: str,
               group_col: str | None = None) -> ImageSource:
    """The images a table names in `image_col`, relative to the table's folder (or the
    working directory for a DataFrame). A path that leads outside that folder is refused."""
    from dlcheck.data.tabular.prepare import require_column

    require_column(table, image_col, "<image_col>")
    require_column(table, target, "<target>")
    if group_col is not None:
        require_column(table, group_col, "<group_col>")
    for option, col in (("<image_col>", image_col), ("<group_col>", group_col)):
        if col == target:
            raise DataError(f"{option} {col!r} is the target: choose another column.")
    root = (table_path.parent if table_path is not None else Path.cwd())
    real_root = root.resolve()
    names = table[image_col]
    missing = names.isna() | (names.astype(str).str.strip() == "")
    if missing.all():
        raise DataError(f"<image_col> {image_col!r} is empty in every row: it must hold the "
                        "image file paths, relative to the table's folder.")
    paths: list[Path] = []
    for row, name in names[~missing].astype(str).items():
        path = root / name.strip()
        if not path.resolve().is_relative_to(real_root):
            raise DataError(f"the image path {name!r} (row {row + 1}) leads outside {real_root}: "
                            "give paths relative to the table's folder, inside it.")
        paths.append(path)
    findings = []
    if missing.any():
        findings.append(Finding(
            check="missing_image_paths", severity="warning",
            summary=f"{int(missing.sum())} rows without an image path were left out.",
            evidence={"rows_left_out": int(missing.sum())},
            advice=f"Fill {image_col!r} in those rows or drop them.",
        ))
    kept = table.loc[~missing]
    return ImageSource(root=root, paths=paths, labels=kept[target].reset_index(drop=True),
                       groups=None if group_col is None else
                       kept[group_col].reset_index(drop=True),
                       kind="table", image_col=image_col, findings=findings)

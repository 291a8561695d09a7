"""Reading image files into one array of equal-sized images, one file at a time: memory holds
the resized array and a single decoded image, never the whole set as decoded."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MIN_IMAGE_SIZE = 8
MAX_DEFAULT_IMAGE_SIZE = 64
"""Without --image-size, images are used at their most common size (longer side) within
8..64 px: small enough for networks trained from scratch on a CPU, large enough for digits,
signs and textures. A larger --image-size keeps more detail at a quadratic cost."""

_GREY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"})


@dataclass
class ReadImages:
    """The images as uint8 (n, channels, size, size), and what reading them found."""

    pixels: np.ndarray
    kept: np.ndarray
    """Positions, in the list of paths given, of the images read (unreadable ones are not)."""
    unreadable: dict[str, str] = field(default_factory=dict)
    """Path -> why it could not be read."""
    original_sizes: Counter = field(default_factory=Counter)
    """(width, height) -> number of images of that size."""
    resized: int = 0
    colour: bool = False


def default_size(sizes: Counter) -> int:
    """The most common longer side, within MIN_IMAGE_SIZE..MAX_DEFAULT_IMAGE_SIZE."""
    (width, height), _ = sizes.most_common(1)[0]
    return int(np.clip(max(width, height), MIN_IMAGE_SIZE, MAX_DEFAULT_IMAGE_SIZE))


def read_images(paths: list[Path], size: int | None = None) -> ReadImages:
    """Read every file as an image of size x size pixels: a first pass reads each file's
    header (size and colour mode, no pixels), a second decodes one image at a time into the
    preallocated array. An image of another shape is scaled so that its longer side is `size`
    and centred on black (its aspect ratio kept, as ImageOps.pad does). Grey images stay one
    channel; if any image is in colour, every image gets three."""
    from PIL import Image

    sizes: Counter = Counter()
    unreadable: dict[str, str] = {}
    readable: list[int] = []
    colour = False
    for i, path in enumerate(paths):
        try:
            if path.stat().st_size == 0:
                raise OSError("the file is empty (0 bytes)")
            with Image.open(path) as image:
                sizes[image.size] += 1
                colour |= image.mode not in _GREY_MODES
            readable.append(i)
        except Exception as exc:  # PIL raises many types (UnidentifiedImageError, OSError...)
            unreadable[str(path)] = _why(exc)
    if not readable:
        return ReadImages(np.zeros((0, 1, 1, 1), np.uint8), np.zeros(0, int), unreadable)
    size = size or default_size(sizes)
    channels = 3 if colour else 1
    pixels = np.zeros((len(readable), channels, size, size), dtype=np.uint8)
    kept, resized = [], 0
    for i in readable:
        try:
            image, was_resized = _decoded(paths[i], size, colour)
        except Exception as exc:  # a header can be fine and the data truncated
            unreadable[str(paths[i])] = _why(exc)
            continue
        pixels[len(kept)] = image
        kept.append(i)
        resized += was_resized
    pixels = pixels[:len(kept)]
    return ReadImages(pixels, np.asarray(kept, dtype=int), unreadable, sizes, resized, colour)


def _decoded(path: Path, size: int, colour: bool) -> tuple[np.ndarray, bool]:
    """One image as a (channels, size, size) uint8 array, and whether it was resized."""
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        image.load()  # decodes: a truncated file fails here
        image = _eight_bit(image, colour)
        resized = image.size != (size, size)
        if resized:
            image = ImageOps.pad(image, (size, size), method=Image.Resampling.LANCZOS,
                                 color=0)
        array = np.asarray(image, dtype=np.uint8)
    return (array[None] if array.ndim == 2 else array.transpose(2, 0, 1)), resized


def _eight_bit(image, colour: bool):
    """The image as 8-bit grey ('L') or 'RGB'; 16-bit and float grey scaled to 0..255."""
    from PIL import Image

    if image.mode in {"I", "I;16", "I;16B", "I;16L", "F"}:
        values = np.asarray(image, dtype=np.float64)
        top = values.max()
        scale = 255.0 / (65535.0 if top > 255 else 255.0) if top > 0 else 1.0
        image = Image.fromarray(np.clip(values * scale, 0, 255).astype(np.uint8), mode="L")
    if colour:
        return image.convert("RGB")
    return image.convert("L")


def _why(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]

"""Pretrained weights the user already has: a file they name, or a torchvision ResNet
checkpoint in the torch hub cache. Nothing is ever downloaded."""

from __future__ import annotations

import os
from pathlib import Path

from dlcheck.errors import DataError

HUB_CHECKPOINTS = ("resnet18-*.pth", "resnet34-*.pth", "resnet50-*.pth")
"""torchvision's file names for its ImageNet ResNet weights, smallest first."""


def hub_dir() -> Path:
    """Where torch.hub keeps downloads (torch.hub.get_dir), without importing torch."""
    if os.environ.get("TORCH_HOME"):
        return Path(os.environ["TORCH_HOME"]) / "hub"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "torch" / "hub"


def locate_weights(weights: str | os.PathLike | None) -> tuple[str | None, str]:
    """The checkpoint to fine-tune, or None, and where it came from (or why there is none)."""
    if weights is not None:
        path = Path(weights)
        if not path.is_file():
            raise DataError(f"<weights> {str(path)!r} is not a file: give the path of a "
                            "torchvision ResNet checkpoint (.pth), e.g. resnet18-f37072fd.pth.")
        return str(path.resolve()), "given with <weights>"
    checkpoints = hub_dir() / "checkpoints"
    for pattern in HUB_CHECKPOINTS:
        found = sorted(checkpoints.glob(pattern))
        if found:
            return str(found[0]), f"found in the torch hub cache ({checkpoints})"
    return None, (f"no pretrained weights: none was given (--weights) and none is in the torch hub "
                  f"cache ({checkpoints})")

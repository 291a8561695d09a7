"""Which device a deep model trains on: the one place that turns --device into a device.

Light on purpose: the command line and the run store's fingerprint resolve 'auto' without
importing torch where no GPU can be reached (3 s of every run's start-up)."""

from __future__ import annotations

import os

from dlcheck.errors import DataError


def resolve_device(device: str) -> str:
    """'auto' as the device it means on this machine ('cuda' or 'cpu'); others as given.
    CPU and CUDA fits differ, so a run store keeps them apart."""
    if device != "auto":
        return device
    if not gpu_device_nodes_possible():
        return "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def gpu_device_nodes_possible() -> bool:
    """False only where no GPU can be reached: CUDA (and ROCm, which torch.cuda also serves)
    needs the driver's device nodes under /dev, and macOS has no CUDA at all."""
    if not os.path.isdir("/dev"):
        return True  # Windows: ask torch
    return any(os.path.exists(p) for p in ("/dev/nvidiactl", "/dev/nvidia0", "/dev/kfd",
                                           "/proc/driver/nvidia"))


def check_device(device: str) -> None:
    """A DataError for a device that cannot be used here, before any work."""
    if device in ("auto", "cpu"):
        return
    if not device.startswith("cuda"):
        raise DataError(f"unknown <device> {device!r}: use auto, cpu or cuda.")
    import torch

    if not torch.cuda.is_available():
        raise DataError("<device=cuda>: no CUDA device is available here. Use <device=auto> "
                        "or cpu.")

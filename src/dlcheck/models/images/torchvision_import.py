"""torchvision, importable beside a CPU build of torch.

PyPI's torchvision 0.28.0 for Linux is built against CUDA torch: beside the CPU build of torch
2.13.0 its compiled operators (`torchvision._C`) cannot load, and importing torchvision then
fails in `_meta_registrations`, which registers fake kernels for `torchvision::nms` and
`qnms` without checking that the operators exist (every other registration there checks). The
models and transforms dlcheck uses are plain PyTorch and need none of those operators: when
the extension cannot load, the two operators' schemas are declared (with no kernel, so calling
`torchvision.ops.nms` would still fail loudly) and the import goes on. Where the extension
loads (a CUDA torch on a GPU machine) nothing is declared.
"""

from __future__ import annotations

import sys
from types import ModuleType

_SCHEMAS = ("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
            "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
_library = None  # the declarations live as long as this object


def torchvision() -> ModuleType:
    """The torchvision module."""
    global _library
    try:
        import torchvision as module
        return module
    except RuntimeError as exc:
        if "torchvision::nms does not exist" not in str(exc):
            raise
    import torch

    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        del sys.modules[name]
    _library = torch.library.Library("torchvision", "FRAGMENT")
    for schema in _SCHEMAS:
        _library.define(schema)
    import torchvision as module
    return module

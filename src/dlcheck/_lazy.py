"""Attributes of a package imported on first use (PEP 562), so that importing the package
stays light: the console script and the workers' fork server load only what they use."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_getattr(package: str, namespace: dict[str, Any], homes: dict[str, str]) \
        -> Callable[[str], Any]:
    """A module `__getattr__` that imports `homes[name]` and keeps the attribute."""

    def __getattr__(name: str) -> Any:
        if name in homes:
            value = getattr(importlib.import_module(homes[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__

"""Pitfall checks: each measures one way a deep learning project goes wrong."""

from dlcheck.checks.codes import CHECK_CODES

__all__ = ["CHECKS", "CHECK_CODES", "Check", "CheckContext", "NotApplicable", "check_codes",
           "run_checks"]

_LAZY = {"Check": "dlcheck.checks.base", "CheckContext": "dlcheck.checks.base",
         "NotApplicable": "dlcheck.checks.base", "CHECKS": "dlcheck.checks.registry",
         "check_codes": "dlcheck.checks.registry", "run_checks": "dlcheck.checks.registry"}


def __getattr__(name: str):
    # Imported on first use: the command line reads CHECK_CODES without the engine.
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dlcheck.checks' has no attribute {name!r}")

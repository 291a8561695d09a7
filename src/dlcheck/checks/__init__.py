"""Pitfall checks: each measures one way a deep learning project goes wrong."""

from dlcheck._lazy import lazy_getattr
from dlcheck.checks.codes import CHECK_CODES

__all__ = ["CHECKS", "CHECK_CODES", "Check", "CheckContext", "NotApplicable", "check_codes",
           "run_checks"]

# The command line reads CHECK_CODES without importing the checks.
__getattr__ = lazy_getattr(__name__, globals(), {
    "Check": "dlcheck.checks.base", "CheckContext": "dlcheck.checks.base",
    "NotApplicable": "dlcheck.checks.base", "CHECKS": "dlcheck.checks.registry",
    "check_codes": "dlcheck.checks.registry", "run_checks": "dlcheck.checks.registry"})

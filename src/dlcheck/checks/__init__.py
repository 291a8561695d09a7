"""Pitfall checks: each measures one way a deep learning project goes wrong."""

from dlcheck.checks.base import Check, CheckContext, NotApplicable
from dlcheck.checks.registry import CHECKS, check_codes, run_checks

__all__ = ["CHECKS", "Check", "CheckContext", "NotApplicable", "check_codes", "run_checks"]

"""Imported once by the fork server that starts the workers (see local.py).

The heavy libraries are imported here (no computation: a thread pool started here would not
survive the fork), then every object is frozen out of the garbage
collector's reach: a worker forked from this process then shares these pages copy-on-write,
because its collector never writes to the inherited objects.
"""

import gc

# First how signals are taken and how the server ends, in force while the imports below run.
import dlcheck.executors._fork_server  # noqa: F401

# isort: split
import lightgbm  # noqa: F401
import torch._dynamo  # noqa: F401  (torch's optimizers import it, and sympy, on first step)

import dlcheck.benchmark.runner  # noqa: F401
import dlcheck.models.tabular.deep  # noqa: F401

gc.freeze()

"""What the engine needs of any data, whatever its kind: the target, the task, the groups and
times that decide how rows may be split, a fingerprint, and the rows themselves as a model
takes them. Splits, jobs, the runner, executors, the store and the checks that are not about
columns work on row indices of a `Dataset`; only a kind's own ladder, probes and checks look
inside its inputs.

A table (`dlcheck.data.tabular.TableData`) is the first kind; a new kind is one more class
that satisfies these two protocols, a ladder in `dlcheck.models.registry.LADDERS`, and the
checks that declare it.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from dlcheck.findings import Finding


class ModelInputs(Protocol):
    """The rows as models take them, in a form that travels to workers."""

    kind: str
    """The kind of data ('table'): chooses the ladder."""

    @property
    def features(self) -> Any:
        """What the kind's ladder needs to build its models (`ModelContext.features`)."""
        ...

    @property
    def n_features(self) -> int:
        """Inputs per row, for counting work."""
        ...

    def take(self, rows: np.ndarray) -> Any:
        """These rows (positions) as the models' fit and predict take them."""
        ...


class Dataset(Protocol):
    """Labelled rows of one kind of data, prepared and checked."""

    kind: str
    task: str
    """binary, multiclass or regression."""
    target: str
    y: np.ndarray
    """Class codes 0..k-1 (classification) or values (regression), one per row."""
    classes: list[str]
    """The class labels, in the order of their codes (empty for a regression)."""
    groups: np.ndarray | None
    """Group of each row: rows of one group never straddle a split."""
    times: np.ndarray | None
    """Time order of each row: the folds train on the past."""
    findings: list[Finding]
    """What preparing the data found (rows left out, cleaned values)."""

    @property
    def n_rows(self) -> int: ...

    @property
    def n_features(self) -> int: ...

    def fingerprint(self) -> str:
        """A digest of everything the models see: equal for equal data, on every machine."""
        ...

    def subset(self, rows: np.ndarray) -> Dataset:
        """The same data restricted to these rows (positions), in this order."""
        ...

    def model_inputs(self) -> ModelInputs: ...

    def describe_row(self, row: int) -> dict[str, Any]:
        """What a finding shows of one row (position) beyond its number: for an image, its
        file and a thumbnail; nothing for a table row (its number says where it is)."""
        ...

    def describe(self) -> dict[str, Any]:
        """What report.json's `dataset` says of this kind of data beyond the rows, task,
        target and classes (for a table: its columns, their kinds, what was left out)."""
        ...

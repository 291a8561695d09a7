"""Tables: reading a column's kind (profile.py), preparing features and target (prepare.py),
and the rows as the tabular ladder takes them (inputs.py)."""

from dlcheck.data.tabular.inputs import TableFeatures, TableInputs
from dlcheck.data.tabular.prepare import TableData, prepare

__all__ = ["TableData", "TableFeatures", "TableInputs", "prepare"]

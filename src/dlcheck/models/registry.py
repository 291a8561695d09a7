"""The ladders, one per kind of data: the engine asks for the ladder of a dataset's kind and
for a model of it by name, and knows nothing else about models. A new kind of data adds its
ladder here."""

from __future__ import annotations

from dlcheck.models.spec import ModelSpec
from dlcheck.models.tabular.ladder import TABULAR_LADDER

LADDERS: dict[str, tuple[ModelSpec, ...]] = {
    "table": TABULAR_LADDER,
}


def ladder_for(kind: str) -> tuple[ModelSpec, ...]:
    """The ladder for data of this kind (`Dataset.kind`)."""
    try:
        return LADDERS[kind]
    except KeyError:
        raise KeyError(f"no ladder for data of kind {kind!r}: the kinds are "
                       f"{', '.join(LADDERS)}") from None


def get_model(name: str, kind: str = "table") -> ModelSpec:
    for spec in ladder_for(kind):
        if spec.name == name:
            return spec
    raise KeyError(name)

"""The ladders, one per kind of data: the engine asks for the ladder of a dataset's kind and
for a model of it by name, and knows nothing else about models. A new kind of data adds its
ladder here."""

from __future__ import annotations

from typing import Any

from dlcheck.models.images.ladder import IMAGE_LADDER
from dlcheck.models.spec import ModelSpec
from dlcheck.models.tabular.ladder import TABULAR_LADDER

LADDERS: dict[str, tuple[ModelSpec, ...]] = {
    "table": TABULAR_LADDER,
    "image": IMAGE_LADDER,
}


def ladder_for(kind: str, features: Any = None) -> tuple[ModelSpec, ...]:
    """The ladder for data of this kind (`Dataset.kind`); given the data's features
    (`ModelInputs.features`), only the rungs that can be tried on it (`not_tried`)."""
    try:
        ladder = LADDERS[kind]
    except KeyError:
        raise KeyError(f"no ladder for data of kind {kind!r}: the kinds are "
                       f"{', '.join(LADDERS)}") from None
    if features is None:
        return ladder
    return tuple(spec for spec in ladder if spec.name not in not_tried(kind, features))


def not_tried(kind: str, features: Any) -> dict[str, str]:
    """The rungs of the ladder that cannot be tried on this data, and why."""
    reasons = {spec.name: spec.unavailable(features) for spec in LADDERS[kind]
               if spec.unavailable is not None}
    return {name: why for name, why in reasons.items() if why}


def get_model(name: str, kind: str = "table") -> ModelSpec:
    for spec in ladder_for(kind):
        if spec.name == name:
            return spec
    raise KeyError(name)

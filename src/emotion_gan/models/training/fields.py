"""One type checker for the settings dataclasses (classifier, judge, CycleGAN).

Why: parameters arrive from YAML and ``--params`` as whatever the user typed. Without a check,
``steps=abc`` fails deep inside a loop as ``TypeError: '<' not supported``; with it, the
dataclass itself says which field wanted which type, and :mod:`emotion_gan.hooks` adds the
parameter path before any node runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any


def is_number(value: Any) -> bool:
    """int or float, but not bool: True is an int to Python, never a step count or a rate."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


#: Scalar annotations (as strings: the modules use postponed annotations) → their check.
#: Other annotations are not checked here.
_CHECKS = {
    "bool": lambda v: isinstance(v, bool),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": is_number,
    "str": lambda v: isinstance(v, str),
    "tuple[float, float]": lambda v: (
        isinstance(v, Sequence)
        and not isinstance(v, str)
        and len(v) == 2
        and all(is_number(x) for x in v)
    ),  # fmt: skip
}


def check_field_types(settings: Any) -> None:
    """Raise ``TypeError`` naming every field of a dataclass whose value has the wrong type."""
    wrong = [
        f"{field.name}={getattr(settings, field.name)!r} (expected {field.type})"
        for field in dataclasses.fields(settings)
        if not _CHECKS.get(str(field.type), lambda _: True)(getattr(settings, field.name))
    ]
    if wrong:
        raise TypeError(f"{type(settings).__name__}: wrong type for " + "; ".join(wrong))

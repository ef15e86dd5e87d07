"""Rebuild ``nn.Module`` objects from a saved architecture name + config.

Why: a saved ``state_dict`` alone cannot be used without the code and constructor arguments
that made it. Every module this project persists has a ``config`` attribute (JSON-serialisable
constructor keyword arguments); :func:`describe_module` records ``"<module>:<Class>"`` plus that
config, and :func:`build_module` rebuilds it. Only classes inside ``emotion_gan.models`` can be
rebuilt, so a tampered file cannot make us import arbitrary code.

Saved names are code locations, so moving a class would orphan the models earlier runs saved:
:data:`LEGACY_ARCHITECTURES` maps every name a class was saved under before it moved to where
it lives now (an explicit table rather than import aliases, so the old locations can go).
"""

from __future__ import annotations

import importlib
from typing import Any

from torch import nn

_ALLOWED_PREFIX = "emotion_gan.models."

#: Architecture names written by earlier versions → the class's current location.
LEGACY_ARCHITECTURES: dict[str, str] = {
    # models/classifier.py became the package models/classifier/ (issue 9).
    "emotion_gan.models.classifier:EmotionCNN": "emotion_gan.models.classifier.network:EmotionCNN",
}


def describe_module(module: nn.Module) -> dict[str, Any]:
    """Return ``{"architecture": "pkg.mod:Class", "config": {...}}`` for a persistable module."""
    config = getattr(module, "config", None)
    if not isinstance(config, dict):
        raise TypeError(
            f"{type(module).__name__} has no `config` dict of constructor arguments, so it cannot "
            "be rebuilt on load; give the class a `config` attribute"
        )
    cls = type(module)
    return {"architecture": f"{cls.__module__}:{cls.__qualname__}", "config": dict(config)}


def build_module(architecture: str, config: dict[str, Any]) -> nn.Module:
    """Instantiate ``architecture`` ("pkg.mod:Class", or a legacy name) with ``config``."""
    architecture = LEGACY_ARCHITECTURES.get(architecture, architecture)
    module_name, _, class_name = architecture.partition(":")
    if not module_name.startswith(_ALLOWED_PREFIX) or not class_name:
        raise ValueError(
            f"refusing to rebuild architecture {architecture!r}: only classes in "
            f"{_ALLOWED_PREFIX}* can be loaded"
        )
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(**config)

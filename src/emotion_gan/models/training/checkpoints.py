"""What a trainer saves its resumable state to: a small protocol, and an in-memory store.

Why a protocol: models never touch files (only ``emotion_gan.datasets`` does), yet a long run
must checkpoint. Trainers type against :class:`CheckpointStore`; the catalog hands a node the
directory-backed store (``datasets.checkpoint_dir``), tests and notebooks use
:class:`InMemoryCheckpointStore` (or ``None`` when resuming is off).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

import torch


class CheckpointStore(Protocol):
    """The newest checkpoints of one training run, keyed by step."""

    def save(self, step: int, state: dict[str, Any]) -> None:
        """Keep ``state`` (tensors, ints, floats, lists, dicts) as the checkpoint of ``step``."""
        ...

    def latest(self) -> tuple[int, dict[str, Any]] | None:
        """``(step, state)`` of the newest checkpoint, or ``None`` if there is none."""
        ...

    def clear(self) -> None:
        """Forget every checkpoint (a finished, saved run no longer needs them)."""
        ...

    def hold(self) -> AbstractContextManager[None]:
        """Reserve the store for one training run (no other run may use it meanwhile)."""
        ...


class InMemoryCheckpointStore:
    """A :class:`CheckpointStore` in memory that keeps the newest ``keep`` checkpoints."""

    def __init__(self, keep: int = 2) -> None:
        self.keep = keep
        self._states: dict[int, dict[str, Any]] = {}

    def save(self, step: int, state: dict[str, Any]) -> None:
        self._states[step] = {k: _clone(v) for k, v in state.items()}
        for old in sorted(self._states)[: -self.keep]:
            del self._states[old]

    def latest(self) -> tuple[int, dict[str, Any]] | None:
        if not self._states:
            return None
        step = max(self._states)
        return step, self._states[step]

    def clear(self) -> None:
        self._states.clear()

    def hold(self) -> AbstractContextManager[None]:
        return nullcontext()  # private to this object: nobody else can use it


def _clone(value: Any) -> Any:
    """Deep-copy tensors so later in-place training updates do not alter a stored checkpoint."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_clone(v) for v in value)
    return value

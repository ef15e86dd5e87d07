"""Atomic, resumable training checkpoints in one directory (no Kedro).

Why: CycleGAN runs are long; an interrupted run must resume from the last good step. A
checkpoint is written to a temporary file and renamed into place, so a crash mid-write never
leaves a truncated file that a resume would trust. ``directory=None`` gives an in-memory store
(tests, notebooks, or runs where resuming is switched off).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import torch

_NAME = re.compile(r"^step_(\d+)\.pt$")


class CheckpointStore:
    """Keeps the newest ``keep`` checkpoints of one training run, keyed by step."""

    def __init__(self, directory: str | Path | None, keep: int = 2) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.keep = keep
        self._memory: dict[int, dict[str, Any]] = {}

    def save(self, step: int, state: dict[str, Any]) -> None:
        """Persist ``state`` (tensors, ints, floats, lists, dicts) as the checkpoint of ``step``."""
        if self.directory is None:
            self._memory[step] = {k: _clone(v) for k, v in state.items()}
            for old in sorted(self._memory)[: -self.keep]:
                del self._memory[old]
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        os.close(fd)
        try:
            torch.save(state, tmp)
            os.replace(tmp, self.directory / f"step_{step:08d}.pt")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        for old in self._steps()[: -self.keep]:
            (self.directory / f"step_{old:08d}.pt").unlink(missing_ok=True)

    def latest(self) -> tuple[int, dict[str, Any]] | None:
        """Return ``(step, state)`` of the newest checkpoint, or ``None`` if there is none."""
        if self.directory is None:
            if not self._memory:
                return None
            step = max(self._memory)
            return step, self._memory[step]
        steps = self._steps()
        if not steps:
            return None
        path = self.directory / f"step_{steps[-1]:08d}.pt"
        return steps[-1], torch.load(path, map_location="cpu", weights_only=True)

    def clear(self) -> None:
        """Delete every checkpoint (a finished run no longer needs them)."""
        self._memory.clear()
        if self.directory is not None:
            for step in self._steps():
                (self.directory / f"step_{step:08d}.pt").unlink(missing_ok=True)

    def _steps(self) -> list[int]:
        if self.directory is None or not self.directory.exists():
            return []
        return sorted(
            int(m.group(1)) for p in self.directory.iterdir() if (m := _NAME.match(p.name))
        )


def _clone(value: Any) -> Any:
    """Deep-copy tensors so later in-place training updates do not alter a stored checkpoint."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_clone(v) for v in value)
    return value

"""Training checkpoints in a directory: the store, and the dataset that hands it to a node.

Why a dataset: nodes must not know paths, yet a long CycleGAN run must checkpoint and resume.
The catalog owns the directory; the node receives a store object and only calls
``save``/``latest``/``clear`` (the ``models.training.checkpoints.CheckpointStore`` protocol).
Checkpoints are scratch state, not results, so this is not versioned — the finished models are
(``TorchModelDataset``).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import torch
from kedro.io import AbstractDataset, DatasetError

from emotion_gan.datasets._base import remove_stale_partials, umask_file_mode

_NAME = re.compile(r"^step_(\d+)\.pt$")


class DirectoryCheckpointStore:
    """Keeps the newest ``keep`` checkpoints of one run as ``step_%08d.pt`` files in ``directory``.

    A checkpoint is written to a temporary file and renamed into place, so a crash mid-write
    never leaves a truncated file that a resume would trust.
    """

    def __init__(self, directory: str | Path, keep: int = 2) -> None:
        self.directory = Path(directory)
        self.keep = keep

    def __repr__(self) -> str:
        return f"the checkpoint folder {self.directory}"

    def save(self, step: int, state: dict[str, Any]) -> None:
        """Persist ``state`` (tensors, ints, floats, lists, dicts) as the checkpoint of ``step``."""
        self.directory.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(self.directory.glob("tmp*.tmp"))
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        os.fchmod(fd, umask_file_mode())
        os.close(fd)
        try:
            torch.save(state, tmp)
            os.replace(tmp, self._path(step))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        for old in self._steps()[: -self.keep]:
            self._path(old).unlink(missing_ok=True)

    def latest(self) -> tuple[int, dict[str, Any]] | None:
        """Return ``(step, state)`` of the newest checkpoint, or ``None`` if there is none."""
        steps = self._steps()
        if not steps:
            return None
        path = self._path(steps[-1])
        try:
            return steps[-1], torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - torch raises many types for a bad file
            raise DatasetError(
                f"cannot read checkpoint {path} ({type(exc).__name__}: {exc}); it is "
                "truncated or not a checkpoint. Delete it to resume from the previous one, or "
                "start afresh with --params cyclegan.resume=false."
            ) from exc

    def clear(self) -> None:
        """Delete every checkpoint (a finished run no longer needs them)."""
        for step in self._steps():
            self._path(step).unlink(missing_ok=True)

    def _path(self, step: int) -> Path:
        return self.directory / f"step_{step:08d}.pt"

    def _steps(self) -> list[int]:
        if not self.directory.exists():
            return []
        return sorted(
            int(m.group(1)) for p in self.directory.iterdir() if (m := _NAME.match(p.name))
        )


class CheckpointDirDataset(AbstractDataset[None, DirectoryCheckpointStore]):
    """Load-only: returns ``DirectoryCheckpointStore(path, keep)``."""

    def __init__(self, *, path: str, keep: int = 2, metadata: dict[str, Any] | None = None) -> None:
        self._path = path
        self._keep = keep
        self.metadata = metadata

    def load(self) -> DirectoryCheckpointStore:
        return DirectoryCheckpointStore(self._path, keep=self._keep)

    def save(self, data: None) -> None:
        raise DatasetError(
            f"CheckpointDirDataset({self._path}) is an input only: training nodes write "
            "checkpoints through the store it loads"
        )

    def _describe(self) -> dict[str, Any]:
        return {"path": self._path, "keep": self._keep}

    def _exists(self) -> bool:
        return True

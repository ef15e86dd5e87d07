"""``CheckpointDirDataset``: hands a training node a :class:`CheckpointStore` for a directory.

Why a dataset: nodes must not know paths, yet a long CycleGAN run must checkpoint and resume.
The catalog owns the directory; the node receives a store object and only calls
``save``/``latest``. Checkpoints are scratch state, not results, so this is not versioned —
the finished models are (``TorchModelDataset``).
"""

from __future__ import annotations

from typing import Any

from kedro.io import AbstractDataset, DatasetError

from emotion_gan.models.checkpoint import CheckpointStore


class CheckpointDirDataset(AbstractDataset[None, CheckpointStore]):
    """Load-only: returns ``CheckpointStore(path, keep)``."""

    def __init__(self, *, path: str, keep: int = 2, metadata: dict[str, Any] | None = None) -> None:
        self._path = path
        self._keep = keep
        self.metadata = metadata

    def load(self) -> CheckpointStore:
        return CheckpointStore(self._path, keep=self._keep)

    def save(self, data: None) -> None:
        raise DatasetError(
            f"CheckpointDirDataset({self._path}) is an input only: training nodes write "
            "checkpoints through the store it loads"
        )

    def _describe(self) -> dict[str, Any]:
        return {"path": self._path, "keep": self._keep}

    def _exists(self) -> bool:
        return True

"""Training checkpoints in a directory: the store, and the dataset that hands it to a node.

Why a dataset: nodes must not know paths, yet a long CycleGAN run must checkpoint and resume.
The catalog owns the directory; the node receives a store object and only calls
``save``/``latest``/``clear`` (the ``models.training.checkpoints.CheckpointStore`` protocol).
Checkpoints are scratch state, not results, so this is not versioned — the finished models are
(``TorchModelDataset``).
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import torch
from kedro.io import AbstractDataset, DatasetError

from emotion_gan.datasets._base import remove_stale_partials, umask_file_mode

_NAME = re.compile(r"^step_(\d+)\.pt$")
#: Folders this process holds the lock of → [open lock file, how many holders nest].
_HELD: dict[Path, list[int]] = {}


@contextmanager
def _holding(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` while the block runs, or refuse.

    Why: two runs of the same target class share its checkpoint folder; one with
    ``resume=false`` cleared the other's checkpoints mid-training. ``flock`` locks are released
    by the OS when the holder exits, even on SIGKILL, so a crash never leaves a stale lock.
    Holders nest within a process (the training node holds it across every save), and the
    lock is released when the outermost one ends, so the next node, in any worker, can take it.
    """
    directory = directory.resolve()
    if directory in _HELD:
        _HELD[directory][1] += 1
    else:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, umask_file_mode())
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise DatasetError(
                f"the checkpoint folder {directory} is in use by another run (pid {holder}): "
                "two runs of one target class would overwrite each other's checkpoints. Wait "
                "for it to finish, or give this run its own folder (another env or data_root)."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        _HELD[directory] = [fd, 1]
    try:
        yield
    finally:
        _HELD[directory][1] -= 1
        if _HELD[directory][1] == 0:
            os.close(_HELD.pop(directory)[0])


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

    def hold(self) -> AbstractContextManager[None]:
        """Keep the folder locked for a whole training run (each call below also locks)."""
        return _holding(self.directory)

    def save(self, step: int, state: dict[str, Any]) -> None:
        """Persist ``state`` (tensors, ints, floats, lists, dicts) as the checkpoint of ``step``."""
        with self.hold():
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
        with self.hold():
            steps = self._steps()
            if not steps:
                return None
            return steps[-1], self._load(self._path(steps[-1]))

    def _load(self, path: Path) -> dict[str, Any]:
        try:
            return torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - torch raises many types for a bad file
            raise DatasetError(
                f"cannot read checkpoint {path} ({type(exc).__name__}: {exc}); it is "
                "truncated or not a checkpoint. Delete it to resume from the previous one, or "
                "start afresh with the resume switch off (--params cyclegan.resume=false, or "
                "conditional_gan.resume=false for the conditional generator)."
            ) from exc

    def clear(self) -> None:
        """Delete every checkpoint (a finished run no longer needs them)."""
        with self.hold():
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

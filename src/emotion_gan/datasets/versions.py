"""Withdrawing one run's version of a versioned dataset (the run-level rollback's file work).

Why: Kedro saves each node's outputs as soon as the node finishes, under the run's save
version. When a later node fails, the versions already saved would otherwise become "latest",
and the next run would load a test set or model from a run that never finished (a 5 % test set
named "7 %"). :class:`emotion_gan.hooks.RunRollback` withdraws a failed run's versions and,
through :class:`RunJournal`, those of a run that was killed outright; the file work lives here
because ``datasets/`` is the only code that touches files.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from kedro.io import AbstractDataset
from kedro.io.core import AbstractVersionedDataset, get_filepath_str


def version_folder(dataset: AbstractDataset, version: str) -> str | None:
    """The local ``<filepath>/<version>`` folder a versioned dataset saves ``version`` to.

    ``None`` for unversioned datasets and for remote filesystems: the rollback covers local
    data folders (every catalog entry of this project) only.
    """
    if not isinstance(dataset, AbstractVersionedDataset):
        return None
    if getattr(dataset, "_protocol", "file") != "file" or getattr(dataset, "_fs", None) is None:
        return None
    folder = dataset._get_versioned_path(version).parent  # noqa: SLF001 - Kedro's layout
    return get_filepath_str(folder, "file")


def withdraw_folders(folders: list[str], run_id: str, trash: str | Path) -> list[str]:
    """Move those of ``folders`` that exist into ``trash/<run_id>/``; return them.

    Why move, not delete: a run can fail in its last node (a report), after hours of training
    and after its checkpoints were released; out of the versioned paths its models can no
    longer become "latest", but a user can still copy them back. ``make clean-data`` empties
    the trash with the rest of ``data/``.
    """
    moved = []
    destination = Path(trash) / run_id
    for index, folder in enumerate(folders):
        source = Path(folder)
        if not source.is_dir():
            continue
        # <dataset file name>/<run_id> → trash/<run_id>/<index>_<dataset file name>
        target = destination / f"{index:03d}_{source.parent.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            source.rename(target)
        except FileNotFoundError:  # a concurrent run withdrew it first
            continue
        moved.append(folder)
    if moved:
        manifest = destination / "withdrawn.json"
        manifest.write_text(json.dumps({"run_id": run_id, "folders": moved}, indent=1))
    return moved


class RunJournal:
    """One small file per run in progress, locked while the run lives: the version folders it
    may write — so the next run can withdraw the versions of a run that was killed outright.

    Why a lock, not a pid: a process killed by SIGKILL or a power cut runs no error hook, and
    the versions its finished nodes saved would stay "latest". The OS releases a ``flock``
    when its holder dies, however it dies; pids are reused (small, repeating pids in
    containers) and mean nothing across pid namespaces that share a data volume.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def begin(self, run_id: str, folders: list[str]) -> None:
        """Record (and lock, for this process's lifetime or :meth:`end`) ``run_id``'s folders."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{run_id}.json"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        entry = {"pid": os.getpid(), "folders": sorted(str(Path(f).resolve()) for f in folders)}
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(entry).encode())
        _JOURNALS[str(path)] = fd

    def end(self, run_id: str) -> None:
        """The run finished (or its own error hook rolled it back)."""
        path = self.directory / f"{run_id}.json"
        path.unlink(missing_ok=True)
        fd = _JOURNALS.pop(str(path), None)
        if fd is not None:
            os.close(fd)

    def abandoned(self) -> dict[str, list[str]]:
        """``{run_id: folders}`` of journaled runs nobody holds the lock of (killed runs)."""
        found = {}
        for path in sorted(self.directory.glob("*.json")):
            if str(path) in _JOURNALS:
                continue  # this process's own run
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:  # it just ended
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue  # a live run holds it
            try:
                entry = json.loads(os.read(fd, 1 << 24) or b"{}")
                found[path.stem] = [str(f) for f in entry.get("folders", [])]
            except ValueError:
                found[path.stem] = []  # killed while writing its journal: nothing saved yet
            finally:
                os.close(fd)
        return found


#: Journal path → the open, locked file of a run of this process.
_JOURNALS: dict[str, int] = {}

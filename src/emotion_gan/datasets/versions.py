"""Withdrawing one run's version of a versioned dataset (the run-level rollback's file work).

Why: Kedro saves each node's outputs as soon as the node finishes, under the run's save
version. When a later node fails, the versions already saved would otherwise become "latest",
and the next run would load a test set or model from a run that never finished (a 5 % test set
named "7 %"). :class:`emotion_gan.hooks.RunRollback` withdraws a failed run's versions and,
through :class:`RunJournal`, those of a run that was killed outright; the file work lives here
because ``datasets/`` is the only code that touches files.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
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


def remove_folders(folders: list[str]) -> list[str]:
    """Delete those of ``folders`` that exist (a run's version folders); return them."""
    removed = []
    for folder in folders:
        if Path(folder).is_dir():
            shutil.rmtree(folder)
            removed.append(folder)
    return removed


class RunJournal:
    """One small JSON file per run in progress: who runs it and which version folders it may
    write — so the next run can withdraw the versions of a run that was killed outright.

    Why: a process killed by SIGKILL or a power cut runs no error hook, and the versions its
    finished nodes saved would stay "latest". A journal whose process is gone (same host, pid
    no longer alive) marks such a run; runs on other hosts or still alive are left alone.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def begin(self, run_id: str, folders: list[str]) -> None:
        """Record that ``run_id`` (this process) may write ``folders``."""
        self.directory.mkdir(parents=True, exist_ok=True)
        entry = {"pid": os.getpid(), "host": socket.gethostname(), "folders": sorted(folders)}
        path = self.directory / f"{run_id}.json"
        partial = path.with_suffix(".json.part")
        partial.write_text(json.dumps(entry))
        os.replace(partial, path)

    def end(self, run_id: str) -> None:
        """The run finished (or was rolled back by its own error hook)."""
        (self.directory / f"{run_id}.json").unlink(missing_ok=True)

    def abandoned(self) -> dict[str, list[str]]:
        """``{run_id: folders}`` of journaled runs on this host whose process is gone."""
        found = {}
        for path in sorted(self.directory.glob("*.json")):
            try:
                entry = json.loads(path.read_text())
            except (OSError, ValueError):
                continue  # being written by a run starting right now
            if entry.get("host") == socket.gethostname() and not _alive(int(entry["pid"])):
                found[path.stem] = list(entry["folders"])
        return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True

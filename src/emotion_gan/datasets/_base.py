"""Shared plumbing for the project's versioned file datasets.

Why one base: every persisted artefact (image sets, models) must be versioned by Kedro and
written *atomically* — serialised fully in memory first, then written to a temporary file beside
the target and renamed into place — so a crash or a bad input never leaves a half-written
file that a later ``--load-versions`` run would trust, and never touches an earlier version.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping
from copy import deepcopy
from pathlib import Path, PurePosixPath
from typing import Any, Generic, TypeVar

import fsspec
from kedro.io.core import (
    AbstractVersionedDataset,
    DatasetError,
    Version,
    get_filepath_str,
    get_protocol_and_path,
)

_DI = TypeVar("_DI")
_DO = TypeVar("_DO")


def umask_file_mode() -> int:
    """The mode a plainly created file gets here (0o666 minus the umask, usually 0o644).

    Why: ``tempfile.mkstemp`` creates 0o600 files, and the rename keeps that mode, so versions
    written atomically were unreadable to the group, unlike every other Kedro output.
    """
    return 0o666 & ~_umask()


def umask_dir_mode() -> int:
    """The mode a plainly created folder gets here (0o777 minus the umask, usually 0o755).

    Why: ``tempfile.mkdtemp`` creates 0o700 folders (see :func:`umask_file_mode`).
    """
    return 0o777 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: A temporary file this old is a leftover of a killed process, not a write in progress: every
#: write here (one image set, one model, one checkpoint) takes seconds.
STALE_AFTER_S = 600


def remove_stale_partials(paths: Iterable[Path]) -> list[Path]:
    """Delete the given temporary files (or folders) older than :data:`STALE_AFTER_S`; return them.

    Why: a process killed between ``mkstemp`` and the rename leaves its temporary file behind.
    It is never loadable (its name is not a dataset's), but such files accumulate. Younger
    files may belong to a concurrent run mid-write and are left alone.
    """
    removed = []
    now = time.time()
    for path in paths:
        try:
            if now - path.stat().st_mtime > STALE_AFTER_S:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
                removed.append(path)
        except FileNotFoundError:  # another run cleaned it first
            continue
    return removed


class AtomicVersionedDataset(AbstractVersionedDataset[_DI, _DO], Generic[_DI, _DO]):
    """A versioned single-file dataset whose subclasses only convert objects to/from bytes."""

    def __init__(
        self,
        *,
        filepath: str,
        version: Version | None = None,
        credentials: dict[str, Any] | None = None,
        fs_args: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        protocol, path = get_protocol_and_path(filepath, version)
        self._protocol = protocol
        self._fs = fsspec.filesystem(protocol, **(deepcopy(credentials) or {}), **(fs_args or {}))
        self.metadata = metadata
        super().__init__(
            filepath=PurePosixPath(path),
            version=version,
            exists_function=self._fs.exists,
            glob_function=self._fs.glob,
        )

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self._filepath, "protocol": self._protocol, "version": self._version}

    def _exists(self) -> bool:
        try:
            path = get_filepath_str(self._get_load_path(), self._protocol)
        except Exception:  # noqa: BLE001 - no version saved yet means "does not exist"
            return False
        return self._fs.exists(path)

    def _read_bytes(self) -> tuple[bytes, str]:
        """Return the bytes of the version to load and the path they came from."""
        path = get_filepath_str(self._get_load_path(), self._protocol)
        try:
            with self._fs.open(path, "rb") as handle:
                return handle.read(), path
        except FileNotFoundError:
            raise DatasetError(self._missing_version_message(path)) from None

    def _missing_version_message(self, path: str) -> str:
        """Which versions exist, for a ``--load-versions`` timestamp that does not."""
        pattern = get_filepath_str(self._get_versioned_path("*"), self._protocol)
        versions = sorted(PurePosixPath(found).parent.name for found in self._fs.glob(pattern))
        listing = ", ".join(versions[-10:]) if versions else "none"
        return (
            f"{path} does not exist. Versions of {self._filepath} that do: {listing}"
            f"{' (newest 10)' if len(versions) > 10 else ''}. Pass one of them to "
            "--load-versions, or run the pipeline that writes this dataset."
        )

    def _write_atomically(self, content: bytes | Mapping[str, bytes]) -> None:
        """Write one version at the save path: ``bytes`` as one file, ``{relative path:
        bytes}`` as a folder of files (e.g. a report with its figures).

        Locally, the file or folder is filled beside the target under a ``.tmp-*.part`` name,
        each file fsynced, then renamed into place in one step, so a crash never leaves a
        version that looks finished; remote filesystems get one put per file.
        """
        path = get_filepath_str(self._get_save_path(), self._protocol)
        files = {"": content} if isinstance(content, bytes) else dict(content)
        if self._protocol != "file":
            self._fs.pipe({f"{path}/{rel}".rstrip("/"): payload for rel, payload in files.items()})
            self._invalidate_cache()
            return
        directory = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True)
        remove_stale_partials(Path(self._filepath).glob("*/.tmp-*.part"))
        if isinstance(content, bytes):
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".part")
            os.close(fd)
            os.chmod(tmp, umask_file_mode())
        else:
            tmp = tempfile.mkdtemp(dir=directory, prefix=".tmp-", suffix=".part")
            os.chmod(tmp, umask_dir_mode())
        try:
            for relative, payload in files.items():
                target = Path(tmp, relative)
                target.parent.mkdir(exist_ok=True)  # plain mkdir: the umask's mode
                with open(target, "wb") as handle:
                    handle.write(payload)
                    handle.flush()
                    os.fsync(handle.fileno())
            os.replace(tmp, path)
        finally:
            if os.path.isdir(tmp):
                shutil.rmtree(tmp)
            elif os.path.exists(tmp):
                os.unlink(tmp)
        self._invalidate_cache()

    def _invalidate_cache(self) -> None:
        filepath = get_filepath_str(self._filepath, self._protocol)
        self._fs.invalidate_cache(filepath)

"""Shared plumbing for the project's versioned file datasets.

Why one base: every persisted artefact (image sets, models) must be versioned by Kedro and
written *atomically* — serialised fully in memory first, then written to a temporary file beside
the target and renamed into place — so a crash or a bad input never leaves a half-written
file that a later ``--load-versions`` run would trust, and never touches an earlier version.
"""

from __future__ import annotations

import os
import tempfile
from copy import deepcopy
from pathlib import PurePosixPath
from typing import Any, Generic, TypeVar

import fsspec
from kedro.io.core import (
    AbstractVersionedDataset,
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
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


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
        with self._fs.open(path, "rb") as handle:
            return handle.read(), path

    def _write_bytes_atomically(self, payload: bytes) -> None:
        """Write ``payload`` to the save path via a temp file + rename (local) or one put."""
        path = get_filepath_str(self._get_save_path(), self._protocol)
        if self._protocol != "file":
            self._fs.pipe_file(path, payload)
        else:
            directory = os.path.dirname(path)
            os.makedirs(directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".part")
            os.fchmod(fd, umask_file_mode())
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(payload)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        self._invalidate_cache()

    def _invalidate_cache(self) -> None:
        filepath = get_filepath_str(self._filepath, self._protocol)
        self._fs.invalidate_cache(filepath)

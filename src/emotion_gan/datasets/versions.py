"""Withdrawing one run's version of a versioned dataset (the run-level rollback's file work).

Why: Kedro saves each node's outputs as soon as the node finishes, under the run's save
version. When a later node fails, the versions already saved would otherwise become "latest",
and the next run would load a test set or model from a run that never finished (a 5 % test set
named "7 %"). :class:`emotion_gan.hooks.FailedRunRollback` calls this for every dataset of a
failed run; it lives here because ``datasets/`` is the only code that touches files.
"""

from __future__ import annotations

from kedro.io import AbstractDataset
from kedro.io.core import AbstractVersionedDataset, get_filepath_str


def withdraw_version(dataset: AbstractDataset, version: str) -> str | None:
    """Delete the ``<filepath>/<version>/`` folder of a versioned file dataset, if it exists.

    Returns the deleted path, or ``None`` when the dataset is not versioned, is not file-based
    or has no such version (nothing of that run was saved). Other versions are never touched:
    only the folder named exactly ``version`` goes.
    """
    filesystem = getattr(dataset, "_fs", None)
    if not isinstance(dataset, AbstractVersionedDataset) or filesystem is None:
        return None
    folder = dataset._get_versioned_path(version).parent  # noqa: SLF001 - Kedro's layout
    path = get_filepath_str(folder, getattr(dataset, "_protocol", "file"))
    if not filesystem.exists(path):
        return None
    filesystem.rm(path, recursive=True)
    return path

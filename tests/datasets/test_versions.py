"""The rollback's file work: version folders, their removal, the journal of runs in progress."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

from kedro.io import MemoryDataset, Version

from emotion_gan.datasets import ImageSetDataset
from emotion_gan.datasets.versions import RunJournal, remove_folders, version_folder

OLD, NEW = "2026-01-01T00.00.00.000Z", "2026-01-02T00.00.00.000Z"


def test_only_the_named_version_folder_is_removed(tmp_path, make_imageset):
    path = tmp_path / "sample.npz"
    for version in (OLD, NEW):
        ImageSetDataset(filepath=str(path), version=Version(None, version)).save(
            make_imageset((2,) * 7)
        )
    dataset = ImageSetDataset(filepath=str(path), version=Version(None, None))
    folder = version_folder(dataset, NEW)
    assert folder == str(path / NEW)
    assert remove_folders([folder]) == [folder]
    assert [p.name for p in path.iterdir()] == [OLD]
    assert remove_folders([folder]) == []  # already gone
    assert len(dataset.load()) == 14  # the earlier version is latest again


def test_unversioned_datasets_have_no_version_folder():
    assert version_folder(MemoryDataset(1), NEW) is None


def test_the_journal_names_runs_whose_process_is_gone(tmp_path):
    journal = RunJournal(tmp_path / ".runs")
    journal.begin("alive-run", ["data/a/x.npz/alive-run"])  # this process: alive
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    (tmp_path / ".runs" / "killed-run.json").write_text(json.dumps(
        {"pid": int(dead.stdout), "host": socket.gethostname(), "folders": ["f"]}
    ))  # fmt: skip
    (tmp_path / ".runs" / "elsewhere.json").write_text(json.dumps(
        {"pid": int(dead.stdout), "host": "another-host", "folders": ["g"]}
    ))  # fmt: skip
    assert journal.abandoned() == {"killed-run": ["f"]}
    journal.end("alive-run")
    assert not (tmp_path / ".runs" / "alive-run.json").exists()
    assert os.getpid() != int(dead.stdout)

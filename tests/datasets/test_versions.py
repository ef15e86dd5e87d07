"""The rollback's file work: version folders, withdrawing them, the journal of live runs."""

from __future__ import annotations

import fcntl
import json
import os

from kedro.io import MemoryDataset, Version

from emotion_gan.datasets import ImageSetDataset
from emotion_gan.datasets.versions import RunJournal, version_folder, withdraw_folders

OLD, NEW = "2026-01-01T00.00.00.000Z", "2026-01-02T00.00.00.000Z"


def test_only_the_named_version_is_withdrawn_and_kept_aside(tmp_path, make_imageset):
    path = tmp_path / "sample.npz"
    for version in (OLD, NEW):
        ImageSetDataset(filepath=str(path), version=Version(None, version)).save(
            make_imageset((2,) * 7)
        )
    dataset = ImageSetDataset(filepath=str(path), version=Version(None, None))
    folder = version_folder(dataset, NEW)
    assert folder == str(path / NEW)
    trash = tmp_path / ".withdrawn"
    assert withdraw_folders([folder], NEW, trash) == [folder]
    assert [p.name for p in path.iterdir()] == [OLD]
    assert (trash / NEW / "000_sample.npz" / "sample.npz").is_file()  # recoverable
    assert json.loads((trash / NEW / "withdrawn.json").read_text())["folders"] == [folder]
    assert withdraw_folders([folder], NEW, trash) == []  # already gone
    assert len(dataset.load()) == 14  # the earlier version is latest again


def test_unversioned_datasets_have_no_version_folder():
    assert version_folder(MemoryDataset(1), NEW) is None


def test_a_journal_is_abandoned_exactly_when_nobody_holds_its_lock(tmp_path):
    runs = tmp_path / ".runs"
    journal = RunJournal(runs)
    journal.begin("mine", [str(tmp_path / "a.npz" / "mine")])
    (runs / "killed.json").write_text(json.dumps({"folders": ["/data/x.npz/killed"]}))
    (runs / "torn.json").write_text('{"fold')  # killed while writing it
    live = os.open(runs / "live.json", os.O_RDWR | os.O_CREAT)  # another live run
    os.write(live, b'{"folders": ["/data/y.npz/live"]}')
    fcntl.flock(live, fcntl.LOCK_EX)
    try:
        assert journal.abandoned() == {"killed": ["/data/x.npz/killed"], "torn": []}
    finally:
        os.close(live)
    assert "live" in journal.abandoned()  # its holder is gone now
    assert json.loads((runs / "mine.json").read_text())["folders"] == [
        str((tmp_path / "a.npz" / "mine").resolve())
    ]
    journal.end("mine")
    assert not (runs / "mine.json").exists()

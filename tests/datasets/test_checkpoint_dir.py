"""Checkpoints in a directory: atomic ``step_%08d.pt`` files, the newest kept, loaded back."""

from __future__ import annotations

import fcntl
import os

import pytest
import torch
from kedro.io import DatasetError

from emotion_gan.datasets import CheckpointDirDataset
from emotion_gan.datasets.checkpoint_dir import DirectoryCheckpointStore


def test_store_keeps_the_newest_files_and_loads_the_latest(tmp_path) -> None:
    store = DirectoryCheckpointStore(tmp_path / "run", keep=2)
    assert store.latest() is None  # no directory yet
    for step in (1, 2, 3):
        store.save(step, {"w": torch.full((2,), float(step)), "history": [{"step": step}]})
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [
        ".lock",
        "step_00000002.pt",
        "step_00000003.pt",
    ]  # no temporary files are left behind either
    step, state = store.latest()
    assert step == 3 and torch.equal(state["w"], torch.full((2,), 3.0))
    assert state["history"] == [{"step": 3}]
    store.clear()
    assert store.latest() is None
    assert [p.name for p in (tmp_path / "run").iterdir()] == [".lock"]


def test_a_failed_write_leaves_the_previous_checkpoint(tmp_path, monkeypatch) -> None:
    store = DirectoryCheckpointStore(tmp_path)
    store.save(1, {"w": torch.ones(1)})

    def crash(*args, **kwargs) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        store.save(2, {"w": torch.zeros(1)})
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", "step_00000001.pt"]
    assert store.latest()[0] == 1


def test_dataset_hands_out_a_store_and_refuses_saves(tmp_path) -> None:
    dataset = CheckpointDirDataset(path=str(tmp_path / "ckpt"), keep=3)
    store = dataset.load()
    assert isinstance(store, DirectoryCheckpointStore) and store.keep == 3
    with pytest.raises(DatasetError, match="is an input only"):
        dataset.save(store)


def test_checkpoints_respect_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        store = DirectoryCheckpointStore(tmp_path / "run")
        store.save(1, {"w": torch.zeros(2)})
        (path,) = (tmp_path / "run").glob("step_*.pt")
        assert path.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)


def test_a_truncated_checkpoint_names_its_path_and_the_way_out(tmp_path) -> None:
    store = DirectoryCheckpointStore(tmp_path / "run", keep=2)
    store.save(5, {"w": torch.zeros(3)})
    path = tmp_path / "run" / "step_00000005.pt"
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(DatasetError, match=r"step_00000005\.pt.*cyclegan\.resume=false"):
        store.latest()


def test_temporary_files_of_a_killed_run_are_cleaned_on_the_next_save(tmp_path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    stale, fresh = run / "tmpabc.tmp", run / "tmpdef.tmp"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written by a concurrent run")
    os.utime(stale, (1, 1))  # written long ago
    DirectoryCheckpointStore(run, keep=2).save(1, {"w": torch.zeros(1)})
    assert not stale.exists() and fresh.exists()


def test_a_folder_in_use_by_another_run_is_refused_with_its_pid(tmp_path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    other = os.open(run / ".lock", os.O_RDWR | os.O_CREAT)  # another run holds the lock
    os.write(other, b"4242")
    fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        with pytest.raises(DatasetError, match=r"in use by another run \(pid 4242\)"):
            DirectoryCheckpointStore(run).clear()
    finally:
        os.close(other)
    store = DirectoryCheckpointStore(run)  # once it is gone the folder is free
    store.save(1, {"w": torch.zeros(1)})
    assert store.latest()[0] == 1


def test_the_lock_is_held_for_a_whole_training_run_and_released_after(tmp_path) -> None:
    run = tmp_path / "run"
    store = DirectoryCheckpointStore(run)

    def free() -> bool:  # could another run (another open file) take the lock now?
        fd = os.open(run / ".lock", os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)

    with store.hold():
        store.save(1, {"w": torch.zeros(1)})
        assert store.latest()[0] == 1
        assert not free()  # still held between the saves of a run
    assert free()  # released: the next node (release_checkpoints), in any worker, may clear
    DirectoryCheckpointStore(run).clear()

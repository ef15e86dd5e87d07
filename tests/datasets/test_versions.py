"""withdraw_version: only the named version folder of a versioned file dataset goes."""

from __future__ import annotations

from kedro.io import MemoryDataset, Version

from emotion_gan.datasets import ImageSetDataset
from emotion_gan.datasets.versions import withdraw_version


def test_only_the_named_version_is_deleted(tmp_path, make_imageset):
    path = tmp_path / "sample.npz"
    for version in ("2026-01-01T00.00.00.000Z", "2026-01-02T00.00.00.000Z"):
        ImageSetDataset(filepath=str(path), version=Version(None, version)).save(
            make_imageset((2,) * 7)
        )
    dataset = ImageSetDataset(filepath=str(path), version=Version(None, None))
    assert withdraw_version(dataset, "2026-01-02T00.00.00.000Z") == str(
        path / "2026-01-02T00.00.00.000Z"
    )
    assert [p.name for p in path.iterdir()] == ["2026-01-01T00.00.00.000Z"]
    assert withdraw_version(dataset, "2026-01-02T00.00.00.000Z") is None  # already gone
    assert len(dataset.load()) == 14  # the earlier version is latest again


def test_unversioned_datasets_are_left_alone():
    assert withdraw_version(MemoryDataset(1), "any") is None

"""ImageSetDataset: round trip, versioning, atomic writes, clear errors on bad files."""

import base64
import dataclasses
import os
import re

import numpy as np
import pytest
from kedro.io import DatasetError, Version

from emotion_gan.datasets import ImageSetDataset
from emotion_gan.imageset import ImageSet


def test_round_trip_keeps_every_field(tmp_path, make_imageset):
    faces = make_imageset((3, 1, 2, 2, 2, 2, 2), seed=3)
    faces = ImageSet(faces.images, faces.labels, faces.split, faces.origin, {"source": "t", "n": 1})
    dataset = ImageSetDataset(filepath=str(tmp_path / "faces.npz"))
    dataset.save(faces)
    loaded = dataset.load()
    np.testing.assert_array_equal(loaded.images, faces.images)
    np.testing.assert_array_equal(loaded.labels, faces.labels)
    np.testing.assert_array_equal(loaded.split, faces.split)
    np.testing.assert_array_equal(loaded.origin, faces.origin)
    assert loaded.metadata == {"source": "t", "n": 1}
    assert loaded.images.dtype == np.uint8


def test_versions_accumulate_and_an_earlier_one_loads(tmp_path, make_imageset):
    path = str(tmp_path / "faces.npz")
    first, second = make_imageset(seed=1), make_imageset(seed=2)
    ImageSetDataset(filepath=path, version=Version(None, "2026-01-01T00.00.00.000Z")).save(first)
    ImageSetDataset(filepath=path, version=Version(None, "2026-01-02T00.00.00.000Z")).save(second)
    latest = ImageSetDataset(filepath=path, version=Version(None, None)).load()
    earlier = ImageSetDataset(
        filepath=path, version=Version("2026-01-01T00.00.00.000Z", None)
    ).load()
    np.testing.assert_array_equal(latest.images, second.images)
    np.testing.assert_array_equal(earlier.images, first.images)
    assert sorted(os.listdir(path)) == ["2026-01-01T00.00.00.000Z", "2026-01-02T00.00.00.000Z"]


def test_a_failed_write_leaves_no_partial_file_and_keeps_earlier_versions(
    tmp_path, make_imageset, monkeypatch
):
    path = tmp_path / "faces.npz"
    ImageSetDataset(filepath=str(path), version=Version(None, "v1")).save(make_imageset(seed=1))

    def crash(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(DatasetError, match="disk full"):
        ImageSetDataset(filepath=str(path), version=Version(None, "v2")).save(make_imageset(seed=2))
    assert list((path / "v2").iterdir()) == []  # no temp file, no truncated .npz
    assert ImageSetDataset(filepath=str(path), version=Version("v1", None)).load().metadata == {
        "seed": 1
    }


def test_saving_something_else_is_refused(tmp_path):
    with pytest.raises(DatasetError, match="can only save an ImageSet, got dict"):
        ImageSetDataset(filepath=str(tmp_path / "x.npz")).save({"images": []})
    assert not (tmp_path / "x.npz").exists()


@pytest.mark.parametrize(
    ("name", "content"), [("bad.npz", b"not a zip"), ("empty.npz", b"")], ids=["corrupt", "empty"]
)
def test_a_corrupt_or_zero_byte_file_names_its_path(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=re.escape(name) + ".*corrupt"):
        ImageSetDataset(filepath=str(path)).load()


def test_preview_is_a_png_grid(tmp_path, make_imageset):
    dataset = ImageSetDataset(filepath=str(tmp_path / "faces.npz"))
    dataset.save(make_imageset())
    png = base64.b64decode(dataset.preview())
    assert png.startswith(b"\x89PNG")


def test_saved_versions_respect_the_umask_like_other_kedro_outputs(tmp_path, make_imageset):
    old = os.umask(0o022)
    try:
        path = tmp_path / "faces.npz"
        ImageSetDataset(filepath=str(path)).save(make_imageset())
        assert path.stat().st_mode & 0o777 == 0o644  # mkstemp alone gives 0o600
        os.umask(0o027)
        ImageSetDataset(filepath=str(tmp_path / "other.npz")).save(make_imageset())
        assert (tmp_path / "other.npz").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def test_a_missing_load_version_lists_the_versions_that_exist(tmp_path, make_imageset):
    path = str(tmp_path / "sample.npz")
    ImageSetDataset(filepath=path, version=Version(None, "2026-01-01T00.00.00.000Z")).save(
        make_imageset()
    )
    wanted = ImageSetDataset(filepath=path, version=Version("2026-02-30T00.00.00.000Z", None))
    with pytest.raises(DatasetError, match=r"does not exist.*that do: 2026-01-01T00\.00\.00\.000Z"):
        wanted.load()


def test_partial_files_of_a_killed_run_are_cleaned_on_the_next_save(tmp_path, make_imageset):
    path = tmp_path / "sample.npz"
    killed = path / "2026-01-01T00.00.00.000Z"
    killed.mkdir(parents=True)
    (killed / ".tmp-x.part").write_bytes(b"half")
    os.utime(killed / ".tmp-x.part", (1, 1))
    ImageSetDataset(filepath=str(path), version=Version(None, "2026-01-02T00.00.00.000Z")).save(
        make_imageset()
    )
    assert not (killed / ".tmp-x.part").exists()


def test_subjects_round_trip_and_older_files_load_without_them(tmp_path, make_imageset):
    images = make_imageset((2, 2, 0, 0, 0, 0, 0))
    named = dataclasses.replace(images, subject=np.array(["KA", "KL", "KA", "YM"]))
    dataset = ImageSetDataset(filepath=str(tmp_path / "s.npz"))
    dataset.save(named)
    assert dataset.load().subject.tolist() == ["KA", "KL", "KA", "YM"]
    older = tmp_path / "old.npz"  # written before ImageSets carried subjects
    np.savez(older, images=images.images, labels=images.labels, split=images.split,
             origin=images.origin, metadata=np.array("{}"))  # fmt: skip
    loaded = ImageSetDataset(filepath=str(older)).load()
    assert loaded.subject.tolist() == [""] * 4 and not loaded.has_subjects()

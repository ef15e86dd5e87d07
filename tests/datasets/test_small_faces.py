"""The small set: the embedded lab set rendered once into class folders, or the user's folder."""

import json

import cv2
import numpy as np
import pytest
from kedro.io import DatasetError

from emotion_gan.datasets import SmallFacesDataset


def _embedded(root, **render):
    return SmallFacesDataset(embedded={"path": str(root), **render})


def test_renders_once_then_reads_the_folder_with_subjects(tmp_path):
    root = tmp_path / "01_raw" / "lab"
    dataset = _embedded(root, subjects=3, repeats=2, seed=1)
    faces = dataset.load()
    assert len(faces) == 3 * 7 * 2 and faces.has_subjects()
    assert sorted(set(faces.subject)) == ["S00", "S01", "S02"]
    assert faces.metadata["source"] == "rendered_lab_faces"
    assert (root / "disgust" / "S02.disgust.1.png").is_file()
    assert [p.name for p in (tmp_path / "01_raw").iterdir()] == ["lab"]  # no staging left
    stamp = (root / "angry" / "S00.angry.0.png").stat().st_mtime_ns
    again = dataset.load()
    assert (root / "angry" / "S00.angry.0.png").stat().st_mtime_ns == stamp  # not re-rendered
    assert np.array_equal(again.images, faces.images)
    # one person across sessions is more alike than two people
    s0 = faces.images[faces.subject == "S00"].astype(float)
    s1 = faces.images[faces.subject == "S01"].astype(float)
    assert np.abs(s0[:7] - s0[7:14]).mean() < np.abs(s0 - s1).mean()


def test_a_folder_rendered_with_other_settings_is_refused(tmp_path):
    root = tmp_path / "lab"
    _embedded(root, subjects=2, repeats=1, seed=1).load()
    with pytest.raises(DatasetError, match="delete the folder to render it again"):
        _embedded(root, subjects=3, repeats=1, seed=1).load()
    assert json.loads((root / "RENDERED.json").read_text())["subjects"] == 2


def test_fewer_classes_and_unknown_embedded_keys(tmp_path):
    faces = _embedded(tmp_path / "lab", subjects=2, repeats=1, seed=0,
                      classes=["angry", "happy", "sad", "surprise", "neutral"]).load()  # fmt: skip
    assert faces.class_counts()["disgust"] == 0 and faces.class_counts()["happy"] == 2
    with pytest.raises(DatasetError, match=r"unknown keys \['size'\]"):
        _embedded(tmp_path / "x", size=2)


def test_a_named_folder_is_read_and_a_missing_one_never_rendered(tmp_path):
    own = tmp_path / "jaffe"
    (own / "happy").mkdir(parents=True)
    cv2.imwrite(str(own / "happy" / "KA.HA1.29.tiff"), np.full((256, 256), 90, np.uint8))
    dataset = SmallFacesDataset(root=str(own), subject_pattern=r"^([A-Z]{2})\.",
                                embedded={"path": str(tmp_path / "lab"), "subjects": 2,
                                          "repeats": 1, "seed": 0})  # fmt: skip
    faces = dataset.load()
    assert faces.subject.tolist() == ["KA"] and faces.metadata["source"] == "image_folder"
    missing = SmallFacesDataset(root=str(tmp_path / "jafe"),
                                embedded={"path": str(tmp_path / "lab")})  # fmt: skip
    with pytest.raises(DatasetError, match="does not exist"):
        missing.load()
    assert not (tmp_path / "lab").exists() and not (tmp_path / "jafe").exists()


def test_a_corrupt_image_or_an_empty_class_in_the_users_folder_is_named(tmp_path):
    own = tmp_path / "own"
    (own / "sad").mkdir(parents=True)
    (own / "sad" / "broken.png").write_bytes(b"\x89PNG garbage")
    dataset = SmallFacesDataset(root=str(own), embedded={"path": str(tmp_path / "lab")})
    with pytest.raises(DatasetError, match=r"corrupt or unreadable image .*broken\.png"):
        dataset.load()
    (own / "sad" / "broken.png").unlink()
    with pytest.raises(DatasetError, match=r"class folder .*sad holds no images"):
        dataset.load()

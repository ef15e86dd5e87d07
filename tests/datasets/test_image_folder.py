"""Class-folder reader: spellings, skipped folders, resizing, corrupt images, empty classes."""

import cv2
import numpy as np
import pytest
from kedro.io import DatasetError

from emotion_gan.datasets import ImageFolderDataset
from emotion_gan.datasets.image_folder import read_image_folder


def write_image(path, size=(64, 60), value=128, color=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    shape = (*size, 3) if color else size
    cv2.imwrite(str(path), np.full(shape, value, np.uint8))


def test_spellings_resize_grayscale_and_skipped_folders(tmp_path):
    write_image(tmp_path / "anger" / "a.png", value=10)
    write_image(tmp_path / "Disgusted" / "b.jpg", color=True)
    write_image(tmp_path / "happiness" / "c.tiff", size=(30, 30), value=200)
    write_image(tmp_path / "contempt" / "d.png")
    faces = ImageFolderDataset(path=str(tmp_path)).load()
    assert faces.images.shape == (3, 48, 48)
    assert sorted(faces.labels.tolist()) == [0, 1, 3]
    assert faces.metadata["skipped_folders"] == ["contempt"]
    assert set(faces.split) == {"unsplit"}


def test_unknown_folder_can_be_mapped(tmp_path):
    write_image(tmp_path / "contempt" / "d.png")
    faces = read_image_folder(tmp_path, class_map={"contempt": "disgust"})
    assert faces.labels.tolist() == [1]


def test_corrupt_image_is_named(tmp_path):
    write_image(tmp_path / "sad" / "ok.png")
    (tmp_path / "sad" / "broken.png").write_bytes(b"\x89PNG garbage")
    with pytest.raises(DatasetError, match=r"corrupt or unreadable image .*broken\.png"):
        read_image_folder(tmp_path)


def test_empty_class_missing_root_and_no_matching_folder(tmp_path):
    (tmp_path / "fear").mkdir()
    with pytest.raises(DatasetError, match=r"class folder .*fear holds no images"):
        read_image_folder(tmp_path)
    with pytest.raises(DatasetError, match="does not exist"):
        read_image_folder(tmp_path / "missing")
    other = tmp_path / "other"
    write_image(other / "contempt" / "x.png")
    with pytest.raises(DatasetError, match="no class folder"):
        read_image_folder(other)


def test_face_crop_counts_images_without_a_face(tmp_path):
    write_image(tmp_path / "neutral" / "blank.png")
    faces = read_image_folder(tmp_path, crop_faces=True)
    assert faces.metadata["faces_not_found"] == 1 and faces.images.shape == (1, 48, 48)


def test_images_in_sub_folders_are_read_and_hidden_files_skipped(tmp_path):
    write_image(tmp_path / "sad" / "top.png")
    write_image(tmp_path / "sad" / "S01" / "a.png")
    write_image(tmp_path / "sad" / "S01" / "deep" / "b.jpg")
    (tmp_path / "sad" / "._top.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    (tmp_path / "sad" / ".DS_Store").write_bytes(b"\x00")
    (tmp_path / "sad" / "notes.txt").write_text("not an image")
    assert read_image_folder(tmp_path).labels.tolist() == [4, 4, 4]


def test_unreadable_formats_are_refused_with_their_paths(tmp_path):
    write_image(tmp_path / "happy" / "ok.png")
    (tmp_path / "happy" / "S2").mkdir()
    (tmp_path / "happy" / "S2" / "anim.gif").write_bytes(b"GIF89a")
    with pytest.raises(DatasetError, match=r"1 image\(s\) in .*happy .*S2/anim\.gif.*PNG"):
        read_image_folder(tmp_path)


def test_a_zero_byte_image_is_named(tmp_path):
    write_image(tmp_path / "fear" / "ok.png")
    (tmp_path / "fear" / "empty.png").write_bytes(b"")
    with pytest.raises(DatasetError, match=r"image .*empty\.png is empty \(0 bytes\)"):
        read_image_folder(tmp_path)


def test_non_square_and_tiny_images_are_counted_and_can_be_centre_cropped(tmp_path, caplog):
    wide = np.zeros((60, 120), np.uint8)
    wide[:, 30:90] = 255  # a white central square between black side bands
    (tmp_path / "happy").mkdir()
    cv2.imwrite(str(tmp_path / "happy" / "wide.png"), wide)
    write_image(tmp_path / "sad" / "tiny.png", size=(20, 20))
    write_image(tmp_path / "sad" / "ok.png", size=(96, 96))
    with caplog.at_level("WARNING"):
        squashed = read_image_folder(tmp_path)
    assert (squashed.metadata["non_square"], squashed.metadata["upscaled"]) == (1, 1)
    assert "1 non-square images were squashed" in caplog.text and "wide.png" in caplog.text
    assert "1 images smaller than 48×48 were upscaled" in caplog.text and "tiny.png" in caplog.text
    happy = squashed.of_class(3).images[0]
    assert happy[:, :5].max() == 0  # squashing keeps the black bands at the sides
    cropped = read_image_folder(tmp_path, centre_crop=True).of_class(3).images[0]
    assert cropped.min() == 255  # the central square only


def test_subject_pattern_names_who_is_in_each_image(tmp_path):
    for name in ("KA.AN1.39.tiff", "KL.AN2.168.tiff"):
        write_image(tmp_path / "angry" / name)
    write_image(tmp_path / "happy" / "KA.HA1.29.tiff")
    faces = ImageFolderDataset(path=str(tmp_path), subject_pattern=r"^([A-Z]{2})\.").load()
    assert sorted(zip(faces.labels.tolist(), faces.subject.tolist(), strict=True)) == [
        (0, "KA"), (0, "KL"), (3, "KA")
    ]  # fmt: skip
    assert faces.has_subjects()
    unpatterned = ImageFolderDataset(path=str(tmp_path), subject_pattern="").load()
    assert not unpatterned.has_subjects()  # an empty pattern (a runtime parameter) is none


def test_a_file_name_the_subject_pattern_misses_is_named(tmp_path):
    write_image(tmp_path / "sad" / "S005_001_00000011.png")
    write_image(tmp_path / "sad" / "IMG_0001.png")
    with pytest.raises(DatasetError, match=r"'IMG_0001\.png' .* does not match subject_pattern"):
        read_image_folder(tmp_path, subject_pattern=r"^(S\d+)_")
    with pytest.raises(DatasetError, match="has no group"):
        read_image_folder(tmp_path, subject_pattern=r"^S\d+_")
    with pytest.raises(DatasetError, match="not a valid regex"):
        read_image_folder(tmp_path, subject_pattern=r"^(S\d+_")


def test_given_train_and_test_folders_become_the_split(tmp_path):
    write_image(tmp_path / "train" / "happy" / "a.png")
    write_image(tmp_path / "train" / "sad" / "b.png")
    write_image(tmp_path / "val" / "sad" / "c.png")
    write_image(tmp_path / "test" / "happy" / "d.png")
    faces = read_image_folder(tmp_path)
    assert sorted(faces.split.tolist()) == ["test", "train", "train", "val"]
    assert faces.metadata["given_splits"] == ["train", "val", "test"]


def test_five_or_six_classes_are_enough(tmp_path):
    for emotion in ("angry", "fear", "happy", "sad", "surprise"):
        write_image(tmp_path / emotion / "x.png")
    write_image(tmp_path / "contempt" / "y.png")  # CK+'s extra class: skipped, named
    faces = read_image_folder(tmp_path)
    assert faces.class_counts()["disgust"] == 0 and faces.class_counts()["neutral"] == 0
    assert len(faces) == 5 and faces.metadata["skipped_folders"] == ["contempt"]


def test_images_without_a_face_can_be_dropped(tmp_path):
    write_image(tmp_path / "neutral" / "blank.png")
    write_image(tmp_path / "neutral" / "blank2.png")
    with pytest.raises(DatasetError, match="no class folder"):  # nothing left to read
        read_image_folder(tmp_path, crop_faces=True, no_face="drop")
    with pytest.raises(DatasetError, match=r"no_face must be one of \('keep', 'drop'\)"):
        read_image_folder(tmp_path, crop_faces=True, no_face="skip")


def test_a_stray_split_folder_without_its_pair_is_not_a_given_split(tmp_path):
    write_image(tmp_path / "happy" / "a.png")
    write_image(tmp_path / "test" / "sad" / "b.png")  # "test" alone: read as an unknown class
    faces = read_image_folder(tmp_path)
    assert set(faces.split) == {"unsplit"} and faces.metadata["given_splits"] == []
    assert faces.metadata["skipped_folders"] == ["test"]

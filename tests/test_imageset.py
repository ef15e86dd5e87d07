"""The ImageSet type: validation errors say what is wrong; helpers keep arrays aligned."""

import numpy as np
import pytest

from emotion_gan.imageset import ImageSet
from emotion_gan.vocabulary import EMOTIONS, label_of


def test_from_arrays_and_class_counts(make_imageset):
    faces = make_imageset((1, 2, 3, 0, 1, 1, 4))
    assert len(faces) == 12
    assert faces.class_counts() == dict(zip(EMOTIONS, (1, 2, 3, 0, 1, 1, 4), strict=True))
    assert set(faces.split) == {"train"} and set(faces.origin) == {"real"}


def test_subset_of_class_and_concat_keep_alignment(make_imageset):
    real = make_imageset((2,) * 7, seed=1)
    fake = make_imageset((0, 3, 0, 0, 0, 0, 0), seed=2, origin="generated")
    both = ImageSet.concat([real, fake], purpose="augmented")
    disgust = both.of_class(1)
    assert len(disgust) == 5
    assert list(disgust.origin) == ["real"] * 2 + ["generated"] * 3
    np.testing.assert_array_equal(disgust.images[2:], fake.images)
    assert both.metadata["purpose"] == "augmented" and len(both.metadata["parts"]) == 2


@pytest.mark.parametrize(
    ("images", "labels", "message"),
    [
        (np.zeros((2, 48, 48), np.float32), [0, 1], "uint8"),
        (np.zeros((2, 32, 32), np.uint8), [0, 1], r"\(N, 48, 48\)"),
        (np.zeros((2, 48, 48), np.uint8), [0, 7], "label 7 at index 1"),
        (np.zeros((2, 48, 48), np.uint8), [0], "labels must have shape"),
    ],
)
def test_invalid_sets_are_rejected_with_the_fault(images, labels, message):
    with pytest.raises(ValueError, match=message):
        ImageSet.from_arrays(images, np.array(labels))


def test_unknown_origin():
    with pytest.raises(ValueError, match="origin"):
        ImageSet.from_arrays(np.zeros((1, 48, 48), np.uint8), np.array([0]), origin="fake")


def test_repr_is_one_short_line(make_imageset):
    real = make_imageset((200,) * 7, seed=1)
    fake = make_imageset((0, 5, 0, 0, 0, 0, 0), seed=2, origin="generated")
    text = repr(ImageSet.concat([real, fake]))
    assert "\n" not in text and len(text) < 300
    assert text.startswith("ImageSet(1405 images 48×48; classes: angry 200, disgust 205")
    assert "origin: real 1400, generated 5; split: train" in text


def test_generated_of_picks_generated_faces_by_class_name(make_imageset):
    real = make_imageset((3,) * 7, seed=1)
    fake = make_imageset((0, 4, 0, 0, 2, 0, 0), seed=2, origin="generated")
    augmented = ImageSet.concat([real, fake])
    disgust = augmented.generated_of(["disgust"])
    assert len(disgust) == 4 and set(disgust.origin) == {"generated"}
    assert set(disgust.labels) == {label_of("disgust")}
    assert disgust.metadata["generated_classes"] == ["disgust"]
    assert len(augmented.generated_of("all")) == 6
    assert augmented.generated_of("all").metadata["generated_classes"] == ["disgust", "sad"]
    assert len(augmented.generated_of([])) == 0
    with pytest.raises(ValueError, match=r"no generated images of \['happy'\]"):
        augmented.generated_of(["happy"])
    with pytest.raises(ValueError, match="holds no generated images"):
        real.generated_of("all")
    assert augmented.counts_by_origin()["generated"]["disgust"] == 4
    assert augmented.counts_by_origin()["real"]["disgust"] == 3


def test_subjects_follow_subset_and_concat(make_imageset):
    images = make_imageset((2, 1, 0, 0, 0, 0, 0))
    named = ImageSet(images.images, images.labels, images.split, images.origin, {},
                     np.array(["A", "B", "C"]))  # fmt: skip
    assert named.subset([2, 0]).subject.tolist() == ["C", "A"]
    joined = ImageSet.concat([named, images])
    assert joined.subject.tolist() == ["A", "B", "C", "", "", ""]
    assert named.has_subjects() and not joined.has_subjects()
    with pytest.raises(ValueError, match=r"subject must have shape \(3,\)"):
        ImageSet(images.images, images.labels, images.split, images.origin, {}, np.array(["A"]))

"""ingest: FER2013 Usage is kept; other sources get a seeded, stratified split."""

import numpy as np
import pytest

from emotion_gan.imageset import ImageSet
from emotion_gan.pipelines.ingest.nodes import assign_train_test_split


def test_fer2013_usage_becomes_canonical_split_names(make_imageset):
    raw = make_imageset((3,) * 7)
    usage = np.array(["Training", "PublicTest", "PrivateTest"] * 7)
    raw = ImageSet(raw.images, raw.labels, usage, raw.origin, {"source": "fer2013"})
    faces = assign_train_test_split(raw, test_fraction=0.5, split_seed=0)
    assert sorted(set(faces.split)) == ["private_test", "public_test", "train"]
    assert (faces.split == "train").sum() == 7


def test_unsplit_sources_get_a_stratified_seeded_split(make_imageset):
    raw = make_imageset((10, 2, 10, 10, 10, 10, 10), split="unsplit")
    faces = assign_train_test_split(raw, test_fraction=0.2, split_seed=1)
    test = faces.labels[faces.split == "test"]
    assert np.bincount(test, minlength=7).tolist() == [2, 1, 2, 2, 2, 2, 2]
    again = assign_train_test_split(raw, test_fraction=0.2, split_seed=1)
    np.testing.assert_array_equal(faces.split, again.split)
    other = assign_train_test_split(raw, test_fraction=0.2, split_seed=2)
    assert not np.array_equal(faces.split, other.split)


def test_bad_inputs_are_explained(make_imageset):
    with pytest.raises(ValueError, match="class 'disgust' has a single image"):
        assign_train_test_split(make_imageset((3, 1, 3, 3, 3, 3, 3), split="unsplit"), 0.2, 0)
    with pytest.raises(ValueError, match=r"test_fraction must be in \(0, 1\)"):
        assign_train_test_split(make_imageset(split="unsplit"), 1.5, 0)
    with pytest.raises(ValueError, match="mixes split names"):
        assign_train_test_split(make_imageset(split="validation"), 0.2, 0)

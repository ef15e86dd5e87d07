"""sample_imbalanced: per-class fractions, nested stratified test subsets, clear errors."""

import numpy as np
import pytest

from emotion_gan.imageset import ImageSet
from emotion_gan.pipelines.sample_imbalanced.nodes import (
    draw_test_subsets,
    sample_training_classes,
)


@pytest.fixture
def faces(make_imageset):
    train = make_imageset((100, 10, 100, 200, 100, 50, 100), seed=1)
    test = make_imageset((40, 4, 40, 80, 40, 20, 40), seed=2, split="test")
    return ImageSet.concat([train, test])


def test_training_sample_is_stratified_with_overrides(faces):
    sample = sample_training_classes(faces, 0.2, {"disgust": 0.5}, sample_seed=3)
    assert np.bincount(sample.labels).tolist() == [20, 5, 20, 40, 20, 10, 20]
    assert set(sample.split) == {"train"}
    assert sample.metadata["train_fraction"] == 0.2
    again = sample_training_classes(faces, 0.2, {"disgust": 0.5}, sample_seed=3)
    np.testing.assert_array_equal(sample.images, again.images)


def test_test_subsets_are_fractions_of_the_dataset_and_nested(faces):
    subsets = draw_test_subsets(faces, {"test_7pct": 0.07, "test_14pct": 0.14}, sample_seed=0)
    total = len(faces)  # 924
    assert len(subsets["test_full"]) == 264
    assert len(subsets["test_7pct"]) == round(0.07 * total)
    assert len(subsets["test_14pct"]) == round(0.14 * total)
    small = {img.tobytes() for img in subsets["test_7pct"].images}
    large = {img.tobytes() for img in subsets["test_14pct"].images}
    assert small <= large
    counts = np.bincount(subsets["test_14pct"].labels, minlength=7)
    assert counts[3] > counts[0] > counts[1]  # class proportions of the test split


def test_errors_name_the_class_or_fraction(faces, make_imageset):
    no_disgust = make_imageset((5, 0, 5, 5, 5, 5, 5))
    with pytest.raises(ValueError, match="class 'disgust' has no training images"):
        sample_training_classes(no_disgust, 0.2, {}, 0)
    with pytest.raises(ValueError, match="unknown classes"):
        sample_training_classes(faces, 0.2, {"contempt": 0.1}, 0)
    with pytest.raises(ValueError, match="lower the fraction"):
        draw_test_subsets(faces, {"test_7pct": 0.07, "test_14pct": 0.9}, 0)
    with pytest.raises(ValueError, match=r"exactly \['test_7pct', 'test_14pct'\]"):
        draw_test_subsets(faces, {"test_7pct": 0.07, "test_21pct": 0.21}, 0)

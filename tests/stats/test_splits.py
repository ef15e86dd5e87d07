"""Grouped splits of small sets: no subject on both sides, protocols, clear errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emotion_gan.stats.splits import assign_folds, folds_of

# Random lab sets: 2–12 subjects with random JAFFE-like ids, 1–4 images of each of 2–7 classes.
lab_sets = st.tuples(
    st.lists(st.text("ABCDEFGHKMNTUY", min_size=2, max_size=3), min_size=2, max_size=12,
             unique=True),
    st.integers(2, 7),
    st.integers(1, 4),
    st.integers(0, 2**16),
)  # fmt: skip


def _lab(names, classes, repeats):
    subjects = np.repeat(names, classes * repeats)
    labels = np.tile(np.repeat(np.arange(classes), repeats), len(names))
    return labels, subjects


@settings(max_examples=60, deadline=None)
@given(lab_sets, st.integers(2, 6))
def test_no_subject_is_ever_in_both_parts_of_a_fold(lab, folds):
    names, classes, repeats, seed = lab
    labels, subjects = _lab(names, classes, repeats)
    folds = min(folds, len(names))
    split, description = assign_folds(
        labels, subjects, protocol="kfold", folds=folds, test_fraction=0.2, seed=seed
    )
    parts = folds_of(split)
    assert description["grouped_by"] == "subject" and len(parts) <= folds
    tested = np.zeros(len(labels), int)
    for fold in parts:
        assert not set(subjects[fold.train]) & set(subjects[fold.test])
        assert np.array_equal(fold.train, ~fold.test)
        tested += fold.test
    assert np.all(tested == 1)  # k-fold: every image is tested exactly once


@settings(max_examples=30, deadline=None)
@given(lab_sets)
def test_holdout_keeps_subjects_apart_too(lab):
    names, classes, repeats, seed = lab
    labels, subjects = _lab(names, classes, repeats)
    split, description = assign_folds(
        labels, subjects, protocol="holdout", folds=5, test_fraction=0.25, seed=seed
    )
    (fold,) = folds_of(split)
    assert fold.name == "test" and fold.test.any() and fold.train.any()
    assert not set(subjects[fold.train]) & set(subjects[fold.test])
    assert 0 < description["test_fraction"] < 1


def test_without_subjects_the_split_is_per_image_and_stratified():
    labels = np.repeat(np.arange(7), 10)
    split, description = assign_folds(
        labels, None, protocol="kfold", folds=5, test_fraction=0.2, seed=0
    )
    assert description["grouped_by"] == "image" and description["subjects"] is None
    for fold in folds_of(split):
        assert np.bincount(labels[fold.test], minlength=7).tolist() == [2] * 7


def test_given_folders_are_kept_and_shared_subjects_reported():
    labels = np.zeros(6, int)
    subjects = np.array(["a", "a", "b", "b", "c", "c"])
    given_split = np.array(["train", "test", "train", "val", "test", "test"])
    split, description = assign_folds(
        labels, subjects, protocol="given", folds=5, test_fraction=0.2, seed=0,
        given_split=given_split,
    )  # fmt: skip
    (fold,) = folds_of(split)
    assert fold.test.tolist() == [False, True, False, False, True, True]  # val trains
    assert description["subjects_in_both_parts"] == ["a"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"protocol": "loo"}, r"transfer\.split\.protocol must be one of"),
        ({"folds": 4}, r"transfer\.split\.folds is 4 but the set has 3 subjects"),
        ({"protocol": "holdout", "test_fraction": 1.5}, r"test_fraction must lie in \(0, 1\)"),
        ({"protocol": "given"}, r"no train and test folders.*<root>/train/<class>/"),
    ],
)
def test_bad_split_parameters_are_named(kwargs, message):
    labels, subjects = _lab(["A", "B", "C"], 2, 2)
    arguments = {"protocol": "kfold", "folds": 2, "test_fraction": 0.2, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        assign_folds(labels, subjects, given_split=np.full(len(labels), "unsplit"), **arguments)


def test_classes_too_small_for_the_folds_name_the_parameter():
    with pytest.raises(ValueError, match=r"transfer\.split\.folds is 5, which this set cannot"):
        assign_folds(np.arange(7), None, protocol="kfold", folds=5, test_fraction=0.2, seed=0)

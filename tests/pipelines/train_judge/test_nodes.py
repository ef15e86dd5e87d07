"""train_judge nodes: the judge never sees a sample or test face; it reports its own accuracy."""

import numpy as np
import pytest

from emotion_gan.imageset import ImageSet
from emotion_gan.pipelines.train_judge.nodes import evaluate_judge, select_judge_faces, train_judge
from emotion_gan.vocabulary import NUM_CLASSES

JUDGE = {
    "seed": 0,
    "validation_fraction": 0.25,
    "split_seed": 1,
    "architecture": {"widths": [4, 8], "feature_width": 8, "dropout": 0.0},
    "training": {"steps": 3, "batch_size": 8, "log_every": 1},
    "logit_adjustment": {"strengths": [0.0, 1.0]},
    "inference": {"batch_size": 16},
}


def _with_split(faces: ImageSet, split: np.ndarray) -> ImageSet:
    return ImageSet.from_arrays(faces.images, faces.labels, split=split, origin="real")


def test_faces_identical_to_sample_or_test_and_non_training_splits_are_dropped(make_imageset):
    raw = make_imageset((12,) * NUM_CLASSES, seed=0, split="train")
    split = np.where(np.arange(len(raw)) % 6 == 5, "PrivateTest", "Training")
    raw = _with_split(raw, split)
    sample = raw.subset(np.arange(0, len(raw), 6))  # 14 faces the pipeline trains on
    test = raw.subset(np.flatnonzero(split == "PrivateTest"))

    training, validation = select_judge_faces(raw, sample, test, JUDGE)

    seen = {face.tobytes() for face in np.concatenate([sample.images, test.images])}
    for part in (training, validation):
        assert not any(face.tobytes() in seen for face in part.images)
    assert len(training) + len(validation) == len(raw) - len(sample) - len(test)
    both = {face.tobytes() for face in training.images} & {f.tobytes() for f in validation.images}
    assert not both  # validation is held out of the judge's training
    assert set(validation.labels.tolist()) == set(range(NUM_CLASSES))  # stratified
    assert validation.metadata["excluded_identical_to_sample_or_test"] == len(sample)
    assert validation.metadata["excluded_not_training_split"] == len(test)


def test_a_class_with_no_unseen_faces_is_named(make_imageset):
    raw = make_imageset((5, 1, 5, 5, 5, 5, 5))
    with pytest.raises(ValueError, match="'disgust'.*found 1"):
        select_judge_faces(raw, raw.subset(np.arange(0)), raw.subset(np.arange(0)), JUDGE)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1])
def test_validation_fraction_out_of_range_is_refused(make_imageset, fraction):
    raw = make_imageset()
    with pytest.raises(ValueError, match="validation_fraction"):
        none = raw.subset(np.arange(0))
        select_judge_faces(raw, none, none, {**JUDGE, "validation_fraction": fraction})


def test_trained_judge_reports_top1_macro_f1_and_recall_per_class(make_imageset):
    faces = make_imageset((10,) * NUM_CLASSES)
    test = make_imageset((4,) * NUM_CLASSES, seed=5, split="test")
    judge, summary = train_judge(faces, faces, JUDGE)
    assert summary["steps"] == 3 and summary["training_set"] == faces.class_counts()
    adjustment = summary["logit_adjustment"]
    assert set(adjustment["validation_macro_f1_by_strength"]) == {0.0, 1.0}
    assert adjustment["strength"] in (0.0, 1.0)
    report = evaluate_judge(judge, faces, test, JUDGE)
    assert report["architecture"]["widths"] == [4, 8]
    for part in ("validation", "test_full"):
        metrics = report[part]
        assert 0.0 <= metrics["top1_accuracy"] <= 1.0
        assert 0.0 <= metrics["macro_f1"] <= 1.0
        assert metrics["n"] == len(test if part == "test_full" else faces)
        assert len(metrics["per_class"]) == NUM_CLASSES


def test_a_misspelt_training_setting_is_named(make_imageset):
    bad = {**JUDGE, "training": {**JUDGE["training"], "setps": 3}}
    with pytest.raises(ValueError, match=r"unknown settings \['setps'\]; known: .*steps"):
        train_judge(make_imageset(), make_imageset(), bad)


def test_loss_level_rebalancing_is_refused_for_the_judge(make_imageset):
    stacked = {**JUDGE, "training": {**JUDGE["training"], "logit_adjustment": 1.0}}
    with pytest.raises(ValueError, match=r"\['logit_adjustment'\]: loss-level rebalancing"):
        train_judge(make_imageset(), make_imageset(), stacked)


def test_the_prior_strength_with_the_best_validation_macro_f1_is_kept(make_imageset):
    """An untrained judge (learning rate ~0) has near-flat logits, so the prior decides: the
    full adjustment (log-prior gap 2.3) calls every face the rarest class; on validation faces
    that are all of the rarest class it must win and be saved in the model."""
    faces = make_imageset((20, 2, 20, 20, 20, 20, 20))
    validation = make_imageset((0, 6, 0, 0, 0, 0, 0), seed=3)
    judge, summary = train_judge(faces, validation, {**JUDGE, "training": {
        **JUDGE["training"], "learning_rate": 1e-12}})  # fmt: skip
    scores = summary["logit_adjustment"]["validation_macro_f1_by_strength"]
    assert summary["logit_adjustment"]["strength"] == 1.0 and scores[1.0] > scores[0.0]
    assert judge.log_prior.argmin() == 1  # disgust gets the largest boost


@pytest.mark.parametrize("strengths", [[], [-1.0], [0.5, 3.0]])
def test_logit_adjustment_strengths_out_of_range_are_refused(make_imageset, strengths):
    bad = {**JUDGE, "logit_adjustment": {"strengths": strengths}}
    with pytest.raises(ValueError, match=r"judge.logit_adjustment.strengths .* in \[0, 2\]"):
        train_judge(make_imageset(), make_imageset(), bad)

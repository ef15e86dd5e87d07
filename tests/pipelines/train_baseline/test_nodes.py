"""train_baseline nodes: training-set selection, SMOTE, settings, per-seed training."""

from __future__ import annotations

import numpy as np
import pytest

from emotion_gan.imageset import ImageSet
from emotion_gan.models.classifier import EmotionCNN
from emotion_gan.pipelines.train_baseline.nodes import (
    select_training_set,
    smote_resample,
    train_classifiers,
    training_settings,
)

TINY_CLASSIFIER = {
    "architecture": {"conv_channels": [4, 8], "fc_width": 16},
    "seeds": [0, 1],
    "training": {"steps": 4, "log_every": 2, "device": "cpu", "batch_size": 8},
}


@pytest.fixture
def sample(make_imageset) -> ImageSet:
    return make_imageset((8, 3, 8, 8, 4, 8, 8), seed=1)


@pytest.fixture
def augmented(sample, make_imageset) -> ImageSet:
    generated = make_imageset((0, 5, 0, 0, 4, 0, 0), seed=2, origin="generated")
    return ImageSet.concat([sample, generated])


def test_select_training_set_adds_only_the_chosen_generated_classes(sample, augmented):
    baseline = select_training_set(sample, augmented, {"generated_classes": []})
    np.testing.assert_array_equal(baseline.images, sample.images)
    plus_disgust = select_training_set(sample, augmented, {"generated_classes": ["disgust"]})
    assert plus_disgust.class_counts()["disgust"] == 3 + 5
    assert plus_disgust.class_counts()["sad"] == 4
    assert (plus_disgust.origin == "generated").sum() == 5
    everything = select_training_set(sample, augmented, {"generated_classes": "all"})
    assert (everything.origin == "generated").sum() == 9


def test_select_training_set_names_a_missing_generated_class(sample, augmented):
    with pytest.raises(ValueError, match=r"no generated images of \['fear'\]"):
        select_training_set(sample, augmented, {"generated_classes": ["fear"]})
    with pytest.raises(ValueError, match="unknown emotion 'contempt'"):
        select_training_set(sample, augmented, {"generated_classes": ["contempt"]})
    with pytest.raises(ValueError, match="run generate_synthetic first"):
        select_training_set(sample, sample, {"generated_classes": "all"})


def test_smote_balances_classes_with_interpolated_generated_images(sample):
    resampled = smote_resample(sample, seed=0, k_neighbors=5)
    assert set(resampled.class_counts().values()) == {8}
    new = resampled.subset(resampled.origin == "generated")
    assert len(new) == (8 - 3) + (8 - 4)
    assert new.images.dtype == np.uint8
    # an interpolation of two disgust images stays within their pixel range
    disgust = sample.of_class(1).images
    generated_disgust = new.of_class(1).images
    assert (generated_disgust >= disgust.min(axis=0)).all()
    assert (generated_disgust <= disgust.max(axis=0)).all()
    again = smote_resample(sample, seed=0, k_neighbors=5)
    np.testing.assert_array_equal(resampled.images, again.images)


def test_smote_refuses_a_class_with_one_image(make_imageset):
    with pytest.raises(ValueError, match=r"\['disgust'\] have only one"):
        smote_resample(make_imageset((3, 1, 3, 3, 3, 3, 3)), seed=0, k_neighbors=5)


def test_training_settings_map_rebalancing_to_loop_switches():
    shared = {"training": {"steps": 7}}
    assert training_settings(shared, {"rebalancing": "class_weighted"}).class_weighted
    assert training_settings(shared, {"rebalancing": "oversampled"}).balanced_sampling
    assert training_settings(shared, {"flip_crop": True}).flip_crop
    plain = training_settings(shared, {"rebalancing": "none"})
    assert (plain.steps, plain.class_weighted, plain.balanced_sampling) == (7, False, False)
    with pytest.raises(ValueError, match="rebalancing must be one of"):
        training_settings(shared, {"rebalancing": "undersampled"})


def test_training_settings_for_the_long_tail_losses():
    shared = {"training": {"steps": 10}}
    drw = training_settings(shared, {"rebalancing": "deferred_reweighting", "reweight_from": 0.8})
    assert (drw.class_weighted, drw.reweight_from, drw.logit_adjustment) == (True, 0.8, 0.0)
    la = training_settings(shared, {"rebalancing": "logit_adjusted", "tau": 1.0})
    assert (la.class_weighted, la.logit_adjustment) == (False, 1.0)
    # a recipe-level flip_crop augments every variant; the variant's own switch still works
    recipe = {"training": {"steps": 10, "flip_crop": True}}
    assert training_settings(recipe, {}).flip_crop
    assert recipe["training"]["flip_crop"] is True  # the shared parameters are not mutated
    assert training_settings(shared, {"flip_crop": True}).flip_crop  # the variant's own switch
    assert not training_settings(shared, {"flip_crop": False}).flip_crop


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        ({"rebalancing": "deferred_reweighting"}, "`reweight_from` belongs with"),
        ({"rebalancing": "logit_adjusted"}, "`tau` belongs with"),
        ({"rebalancing": "class_weighted", "tau": 1.0}, "'class_weighted' and sets it"),
        ({"rebalancing": "none", "flipcrop": True}, r"unknown variant keys \['flipcrop'\]"),
        ({"flip_crop": "false"}, "flip_crop must be true or false; got 'false'"),
        ({"rebalancing": "logit_adjusted", "tau": True}, r"tau|logit_adjustment=True"),
        ({"rebalancing": "deferred_reweighting", "reweight_from": 0.99}, "leaves no weighted"),
    ],
)
def test_training_settings_refuse_settings_that_would_do_nothing(variant, message):
    with pytest.raises((TypeError, ValueError), match=message):
        training_settings({"training": {"steps": 10}}, variant)


def test_train_classifiers_one_model_per_seed_and_a_summary(sample):
    variant = {"generated_classes": [], "rebalancing": "smote", "flip_crop": False}
    models, summary = train_classifiers(sample, TINY_CLASSIFIER, variant, {"k_neighbors": 5})
    assert list(models) == ["0", "1"]
    assert all(isinstance(m, EmotionCNN) and m.config["fc_width"] == 16 for m in models.values())
    assert not np.array_equal(
        models["0"].fc1.weight.detach().numpy(), models["1"].fc1.weight.detach().numpy()
    )
    assert summary["steps"] == 4
    assert summary["training_set"]["real"]["disgust"] == 3
    assert summary["smote_training_set"]["0"]["generated"]["disgust"] == 5
    assert summary["loss_history"]["1"]["step"] == [2, 4]

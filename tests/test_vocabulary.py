"""The vocabulary names classes, variants and families once; the pipelines build exactly it."""

import pytest

from emotion_gan.pipelines.evaluate.pipeline import create_pipeline as evaluate_pipeline
from emotion_gan.pipelines.train_baseline.pipeline import create_pipeline as baseline_pipeline
from emotion_gan.pipelines.train_dag.pipeline import create_pipeline as dag_pipeline
from emotion_gan.vocabulary import (
    ALL_VARIANTS,
    BASELINE,
    CHEAP_ALTERNATIVES,
    DAG_VARIANT,
    DISPLAY_NAMES,
    EMOTIONS,
    GAN_AUGMENTATION,
    REFERENCE_CLASS,
    TARGET_CLASSES,
    VARIANTS,
    family_members,
    label_of,
    variants_of,
)


def test_label_of_maps_names_and_lists_the_valid_ones():
    assert [label_of(e) for e in EMOTIONS] == list(range(7))
    with pytest.raises(ValueError, match="unknown emotion 'joy'; expected one of angry"):
        label_of("joy")


def test_target_classes_are_every_emotion_but_the_reference():
    assert REFERENCE_CLASS == "neutral"
    assert TARGET_CLASSES == ("angry", "disgust", "fear", "happy", "sad", "surprise")


def test_variants_are_unique_and_each_has_a_family_and_a_report_name():
    assert len(set(ALL_VARIANTS)) == len(VARIANTS)
    assert ALL_VARIANTS[0] == BASELINE and DAG_VARIANT in ALL_VARIANTS
    assert set(DISPLAY_NAMES) == set(ALL_VARIANTS)
    assert family_members(GAN_AUGMENTATION) == ("plus_disgust", "plus_sad", "plus_all", "dag")
    assert family_members(CHEAP_ALTERNATIVES) == (
        "class_weighted", "deferred_reweighting", "logit_adjusted", "oversampled",
        "flip_crop", "smote",
    )  # fmt: skip


def test_the_training_pipelines_build_exactly_the_vocabulary_namespaces():
    baseline = {node.namespace for node in baseline_pipeline().nodes}
    dag = {node.namespace for node in dag_pipeline().nodes}
    assert baseline == set(variants_of("train_baseline"))
    assert dag == {DAG_VARIANT} == set(variants_of("train_dag"))
    evaluated = {n.namespace for n in evaluate_pipeline().nodes if n.namespace}
    assert evaluated == set(ALL_VARIANTS)

"""The vocabulary names classes, variants and families once; the pipelines build exactly it."""

import pytest

from emotion_gan.pipelines.evaluate.pipeline import create_pipeline as evaluate_pipeline
from emotion_gan.pipelines.train_baseline.pipeline import create_pipeline as baseline_pipeline
from emotion_gan.pipelines.train_dag.pipeline import create_pipeline as dag_pipeline
from emotion_gan.vocabulary import (
    ALL_VARIANTS,
    BASELINE,
    CHEAP_ALTERNATIVES,
    DISPLAY_NAMES,
    EMOTIONS,
    FAMILY_NAMES,
    GAN_AUGMENTATION,
    REFERENCE_CLASS,
    TARGET_CLASSES,
    VARIANTS,
    augmented_sample_of,
    family_members,
    generator_family,
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
    assert ALL_VARIANTS[0] == BASELINE and "dag" in ALL_VARIANTS
    assert set(DISPLAY_NAMES) == set(ALL_VARIANTS)
    assert family_members(GAN_AUGMENTATION) == (
        "plus_disgust", "plus_sad", "plus_all", "dag",
        "conditional_plus_disgust", "conditional_plus_sad", "conditional_plus_all",
        "conditional_dag",
    )  # fmt: skip
    assert family_members(CHEAP_ALTERNATIVES) == (
        "class_weighted", "deferred_reweighting", "logit_adjusted", "oversampled",
        "flip_crop", "smote",
    )  # fmt: skip


def test_the_training_pipelines_build_exactly_the_vocabulary_namespaces():
    baseline = {node.namespace for node in baseline_pipeline().nodes}
    dag = {node.namespace for node in dag_pipeline().nodes}
    assert baseline == set(variants_of("train_baseline"))
    assert dag == {"dag", "conditional_dag"} == set(variants_of("train_dag"))
    evaluated = {n.namespace for n in evaluate_pipeline().nodes if n.namespace}
    assert evaluated == set(ALL_VARIANTS)


def test_each_generator_family_names_its_generators_outputs_and_variants():
    assert FAMILY_NAMES == ("cyclegan", "conditional")
    cyclegan, conditional = (generator_family(name) for name in FAMILY_NAMES)
    assert cyclegan.dataset("augmented_train_sample") == "augmented_train_sample"
    assert conditional.dataset("augmented_train_sample") == "conditional.augmented_train_sample"
    assert cyclegan.histories() == tuple(f"{t}.cyclegan_history" for t in TARGET_CLASSES)
    assert conditional.histories() == ("conditional_gan_history",)
    assert augmented_sample_of("plus_sad") == "augmented_train_sample"
    assert augmented_sample_of("conditional_dag") == "conditional.augmented_train_sample"
    # every GAN-augmentation variant exists once per family, in the same order
    gan = [v for v in VARIANTS if v.family == GAN_AUGMENTATION]
    by_family = {f: [v.name.removeprefix("conditional_") for v in gan if v.generator == f]
                 for f in FAMILY_NAMES}  # fmt: skip
    assert by_family["cyclegan"] == by_family["conditional"]
    with pytest.raises(ValueError, match="unknown generator family 'stargan'"):
        generator_family("stargan")

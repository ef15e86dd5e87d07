"""train_baseline: ``train_sample`` (+ generated images) → ``{variant}.classifier`` per variant.

One template (select the training set, train one classifier per seed) reused under a namespace
per variant; each variant's settings are ``params:variants.<variant>`` and the catalog's
``"{variant}.classifier"`` factory versions its models (conf/base/catalog_train_baseline.yml).
"""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.train_baseline.nodes import select_training_set, train_classifiers
from emotion_gan.vocabulary import augmented_sample_of, variants_of


def variant_template() -> Pipeline:
    """Training-set selection and per-seed training for one (not yet namespaced) variant."""
    return Pipeline(
        [
            Node(
                select_training_set,
                inputs=["train_sample", "augmented_train_sample", "params:variant"],
                outputs="training_set",
                name="select_training_set",
            ),
            Node(
                train_classifiers,
                inputs=[
                    "training_set",
                    "params:classifier",
                    "params:variant",
                    "params:smote",
                ],
                outputs=["classifier", "training_summary"],
                name="train_classifiers",
            ),
        ]
    )


def create_pipeline(**kwargs) -> Pipeline:
    """One namespaced copy of :func:`variant_template` per variant this pipeline trains.

    The variants are :data:`emotion_gan.vocabulary.VARIANTS` whose ``pipeline`` is
    ``train_baseline``; each reads its settings from ``params:variants.<variant>`` and the
    generated faces of its generator family (``augmented_train_sample`` for the CycleGANs,
    ``conditional.augmented_train_sample`` for the conditional generator).
    """
    return sum(
        (
            Pipeline(
                variant_template(),
                namespace=variant,
                inputs={
                    "train_sample": "train_sample",
                    "augmented_train_sample": augmented_sample_of(variant),
                },
                parameters={
                    "params:variant": f"params:variants.{variant}",
                    "params:classifier": "params:classifier",
                    "params:smote": "params:smote",
                },
            )
            for variant in variants_of("train_baseline")
        ),
        Pipeline([]),
    )

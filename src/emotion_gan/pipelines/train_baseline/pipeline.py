"""train_baseline: ``train_sample`` (+ generated images) → ``{variant}.classifier`` per variant.

One template (select the training set, train one classifier per seed) reused under a namespace
per variant; each variant's settings are ``params:variants.<variant>`` and the catalog's
``"{variant}.classifier"`` factory versions its models (conf/base/catalog_train_baseline.yml).
"""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.train_baseline.nodes import select_training_set, train_classifiers

#: Namespaces of this pipeline: Table 1's columns, all six generated classes, and the cheap
#: alternatives to GAN augmentation. Each needs an entry under ``variants`` in parameters.
VARIANTS: tuple[str, ...] = (
    "baseline",
    "plus_disgust",
    "plus_sad",
    "plus_all",
    "class_weighted",
    "oversampled",
    "flip_crop",
    "smote",
)


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
    """One namespaced copy of :func:`variant_template` per entry of :data:`VARIANTS`."""
    return sum(
        (
            Pipeline(
                variant_template(),
                namespace=variant,
                inputs={"train_sample", "augmented_train_sample"},
                parameters={
                    "params:variant": f"params:variants.{variant}",
                    "params:classifier": "params:classifier",
                    "params:smote": "params:smote",
                },
            )
            for variant in VARIANTS
        ),
        Pipeline([]),
    )

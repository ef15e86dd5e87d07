"""sample_imbalanced: ``faces`` → ``train_sample``, ``test_7pct``, ``test_14pct``, ``test_full``."""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.sample_imbalanced.nodes import draw_test_subsets, sample_training_classes
from emotion_gan.vocabulary import TEST_SETS


def create_pipeline(**kwargs) -> Pipeline:
    """Seeded, stratified samples of the paper's protocol; every output is versioned."""
    return Pipeline(
        [
            Node(
                sample_training_classes,
                inputs=[
                    "faces",
                    "params:sample_imbalanced.train_fraction",
                    "params:sample_imbalanced.train_fraction_per_class",
                    "params:sample_imbalanced.sample_seed",
                ],
                outputs="train_sample",
                name="sample_training_classes",
            ),
            Node(
                draw_test_subsets,
                inputs=[
                    "faces",
                    "params:sample_imbalanced.test_subset_fractions",
                    "params:sample_imbalanced.sample_seed",
                ],
                outputs={name: name for name in TEST_SETS},
                name="draw_test_subsets",
            ),
        ]
    )

"""ingest: ``faces_raw`` (whatever source the env's catalog names) → versioned ``faces``."""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.ingest.nodes import assign_train_test_split


def create_pipeline(**kwargs) -> Pipeline:
    """One node: canonical train/test split of the raw faces."""
    return Pipeline(
        [
            Node(
                assign_train_test_split,
                inputs=["faces_raw", "params:ingest.test_fraction", "params:ingest.split_seed"],
                outputs="faces",
                name="assign_train_test_split",
            )
        ]
    )

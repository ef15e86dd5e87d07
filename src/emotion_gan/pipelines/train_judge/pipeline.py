"""train_judge: ``judge_faces_raw`` → the versioned ``judge`` model and its ``judge_metrics``.

Trained once per data source and reused: ``generate_synthetic`` measures every generated
class with the latest ``judge`` (or the one named by ``--load-versions judge:<timestamp>``).
"""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.train_judge.nodes import evaluate_judge, select_judge_faces, train_judge


def create_pipeline(**kwargs) -> Pipeline:
    """Select the unseen faces, train the judge, report its own accuracy."""
    return Pipeline(
        [
            Node(
                select_judge_faces,
                inputs=["judge_faces_raw", "train_sample", "test_full", "params:judge"],
                outputs=["judge_training_faces", "judge_validation_faces"],
                name="select_judge_faces",
            ),
            Node(
                train_judge,
                inputs=["judge_training_faces", "judge_validation_faces", "params:judge"],
                outputs=["judge", "judge_training_summary"],
                name="train_judge",
            ),
            Node(
                evaluate_judge,
                inputs=["judge", "judge_validation_faces", "test_full", "params:judge"],
                outputs="judge_metrics",
                name="evaluate_judge",
            ),
        ]
    )

"""train_conditional_gan: ``train_sample`` → ``conditional_gan`` (one model for every emotion).

``generate_synthetic`` binds the saved model to each target class in turn. Settings:
``params:conditional_gan`` (conf/base/parameters_train_conditional_gan.yml).
"""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.train_conditional_gan.nodes import (
    plot_loss_curve,
    release_checkpoints,
    train_conditional_generator,
)


def create_pipeline(**kwargs) -> Pipeline:
    """Training, checkpoint release (after the save) and the loss curve."""
    return Pipeline(
        [
            Node(
                train_conditional_generator,
                inputs=["train_sample", "conditional_gan_checkpoints", "params:conditional_gan"],
                outputs=["conditional_gan", "conditional_gan_history"],
                name="train_conditional_generator",
            ),
            Node(
                release_checkpoints,
                inputs=["conditional_gan", "conditional_gan_checkpoints"],
                outputs=None,
                name="release_conditional_checkpoints",
            ),
            Node(
                plot_loss_curve,
                inputs=["conditional_gan_history", "params:conditional_gan"],
                outputs="conditional_gan_loss_curve",
                name="plot_conditional_loss_curve",
            ),
        ]
    )

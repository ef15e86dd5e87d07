"""train_conditional_gan: ``train_sample`` → ``conditional_gan`` → ``{t}.conditional_generator``.

One model for every emotion, then one namespaced node per target class that binds it to that
class, so ``generate_synthetic`` finds a ``{"G": module}`` per target class as it does for the
CycleGANs (``{t}.cyclegan``). Settings: ``params:conditional_gan``
(conf/base/parameters_train_conditional_gan.yml).
"""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.train_conditional_gan.nodes import (
    bind_target_class,
    plot_loss_curve,
    release_checkpoints,
    train_conditional_generator,
)
from emotion_gan.vocabulary import TARGET_CLASSES


def _binding(target: str) -> Pipeline:
    node = Node(
        bind_target_class,
        inputs=["conditional_gan", "params:target_class"],
        outputs="conditional_generator",
        name="bind_target_class",
    )
    return Pipeline([node], namespace=target, inputs={"conditional_gan"}, parameters=set())


def create_pipeline(**kwargs) -> Pipeline:
    """Training, checkpoint release, loss curve, then one binding per target class."""
    training = Pipeline(
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
    return sum((_binding(target) for target in TARGET_CLASSES), training)

"""train_cyclegan_per_class: ``train_sample`` → ``{target_class}.cyclegan`` for every target class.

One template (train one CycleGAN, plot its losses) reused under a namespace per target class;
the catalog's ``"{target_class}.…"`` factories version each class's models, loss table and
figure (conf/base/catalog_train_cyclegan_per_class.yml). Shared settings are
``params:cyclegan``; each namespace reads its own ``params:<target_class>.target_class``. Train a
subset with ``kedro run --pipelines train_cyclegan_per_class --namespaces disgust,sad``.
"""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.train_cyclegan_per_class.nodes import (
    plot_loss_curve,
    release_checkpoints,
    train_cyclegan_for_target_class,
)
from emotion_gan.vocabulary import TARGET_CLASSES


def cyclegan_template() -> Pipeline:
    """Training, checkpoint release and loss curve of one (not yet namespaced) target class."""
    return Pipeline(
        [
            Node(
                train_cyclegan_for_target_class,
                inputs=[
                    "train_sample",
                    "cyclegan_checkpoints",
                    "params:cyclegan",
                    "params:target_class",
                ],
                outputs=["cyclegan", "cyclegan_history"],
                name="train_cyclegan_for_target_class",
            ),
            Node(
                release_checkpoints,
                inputs=["cyclegan", "cyclegan_checkpoints"],
                outputs=None,
                name="release_checkpoints",
            ),
            Node(
                plot_loss_curve,
                inputs=["cyclegan_history", "params:target_class", "params:cyclegan"],
                outputs="loss_curve",
                name="plot_loss_curve",
            ),
        ]
    )


def create_pipeline(**kwargs) -> Pipeline:
    """One namespaced copy of :func:`cyclegan_template` per target class.

    The namespaces are :data:`emotion_gan.vocabulary.TARGET_CLASSES` (every class but the
    reference class, paper §4.2); each needs a ``<class>: {target_class: <class>}`` block in
    parameters (checked by :mod:`emotion_gan.hooks`).
    """
    return sum(
        (
            Pipeline(
                cyclegan_template(),
                namespace=target,
                inputs={"train_sample"},
                parameters={"params:cyclegan"},
            )
            for target in TARGET_CLASSES
        ),
        Pipeline([]),
    )

"""train_dag: the paper's DAG framework (Table 2) — pre-train on generated, fine-tune on real.

Paper §4.3: "Pre-train represents the first 10K steps training on generated images from all six
classes and Fine-tune represents another 10k fine-tuning steps training on original datasets".
The total step budget is the same ``classifier.training.steps`` every other variant gets, split
by ``dag.pretrain_fraction`` (paper: 0.5).
"""

from __future__ import annotations

from typing import Any

from emotion_gan.imageset import ImageSet
from emotion_gan.models.classifier import EmotionCNN, TrainingSettings, train_dag, train_seeds


def select_pretraining_set(
    train_sample: ImageSet, augmented_train_sample: ImageSet, dag: dict[str, Any]
) -> ImageSet:
    """Generated images of ``dag.generated_classes`` (paper: all six), optionally + real ones.

    ``pretrain_includes_original`` exists because the paper is ambiguous: the Table 2 text says
    pre-training uses generated images, the framework text calls them "supplementary" to the
    original data. Default (false) follows the Table 2 text.
    """
    generated = augmented_train_sample.generated_of(dag["generated_classes"])
    parts = [train_sample, generated] if dag["pretrain_includes_original"] else [generated]
    return ImageSet.concat(parts, generated_classes=generated.metadata["generated_classes"])


def train_dag_classifiers(
    pretraining_set: ImageSet,
    train_sample: ImageSet,
    classifier: dict[str, Any],
    dag: dict[str, Any],
) -> tuple[dict[str, EmotionCNN], dict[str, Any]]:
    """Pre-train then fine-tune one classifier per seed; same total steps as the baseline.

    Returns ``({seed: model}, summary)`` with both phases' loss histories per seed.
    """
    fraction = float(dag["pretrain_fraction"])
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"dag.pretrain_fraction must be in [0, 1]; got {fraction}")
    settings = TrainingSettings(**classifier["training"])
    pretrain_steps = round(fraction * settings.steps)

    def train_one(model: EmotionCNN, seed: int) -> dict[str, Any]:
        histories = train_dag(
            model,
            (pretraining_set.images, pretraining_set.labels),
            (train_sample.images, train_sample.labels),
            settings,
            pretrain_steps=pretrain_steps,
            seed=seed,
            run_name=f"seed {seed}",
        )
        return {phase: history.as_dict() for phase, history in histories.items()}

    models, histories = train_seeds(
        classifier["seeds"], classifier["architecture"], train_one, run_name="DAG classifier"
    )
    summary: dict[str, Any] = {
        "variant": {**dag, "pretrain_steps": pretrain_steps},
        "steps": settings.steps,
        "training_set": train_sample.counts_by_origin(),
        "pretraining_set": pretraining_set.counts_by_origin(),
        "loss_history": histories,
    }
    return models, summary

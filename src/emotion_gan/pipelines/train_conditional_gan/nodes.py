"""train_conditional_gan: one StarGAN-style generator for every target class (issue 13).

The second generator family beside the paper's six CycleGANs: one G(x, c) learns from every
training face of ``train_sample`` at once (never a test image), with its emotion as the domain.
The networks and loop are in :mod:`emotion_gan.models.conditional`; these nodes pick the
faces and turn parameters into objects. ``generate_synthetic`` binds the saved model to each
target class in turn (``TargetedGenerator``), so that from there on both families are one code.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure
from torch import nn

from emotion_gan.figures.training import loss_curves
from emotion_gan.imageset import ImageSet
from emotion_gan.models.conditional.networks import ConditionalGANNetworks, build_conditional_gan
from emotion_gan.models.conditional.trainer import ConditionalGANConfig, train_conditional_gan
from emotion_gan.models.cyclegan.translate import faces_to_tensor
from emotion_gan.models.training.augment import random_pad_crop_flip
from emotion_gan.models.training.checkpoints import CheckpointStore
from emotion_gan.vocabulary import EMOTIONS, NUM_CLASSES

_GENERATOR_LOSSES = {
    "loss_g_adv": "adversarial (LSGAN)",
    "loss_g_domain": "emotion of the fakes (CE)",
    "reconstruction": "reconstruction (L1, unweighted)",
}
_DISCRIMINATOR_LOSSES = {"loss_d_adv": "realness (LSGAN)", "loss_d_domain": "emotion of real (CE)"}


def training_faces(train_sample: ImageSet) -> tuple[np.ndarray, np.ndarray]:
    """Every training face of the sample with its label; every emotion must have one.

    Raises:
        ValueError: an emotion has no training face (its target could never be learnt).
    """
    train = train_sample.subset(train_sample.split == "train")
    counts = np.bincount(train.labels, minlength=NUM_CLASSES)
    empty = [EMOTIONS[label] for label in np.flatnonzero(counts == 0)]
    if empty:
        raise ValueError(
            f"classes {empty} have no images in train_sample (training split; counts: "
            f"{train.class_counts()}); the conditional generator needs faces of every emotion "
            "— re-run sample_imbalanced"
        )
    return train.images, train.labels


def train_conditional_generator(
    train_sample: ImageSet, checkpoints: CheckpointStore, conditional_gan: dict[str, Any]
) -> tuple[dict[str, nn.Module], pd.DataFrame]:
    """Train G(x, c) and D on every training face of the sample.

    Args:
        train_sample: the imbalanced training sample (only its ``train`` split is used).
        checkpoints: scratch store of this run (from ``CheckpointDirDataset``).
        conditional_gan: settings — ``architecture``: keywords of
            :func:`~emotion_gan.models.conditional.networks.build_conditional_gan` (one domain
            per emotion, always); ``training``: fields of
            :class:`~emotion_gan.models.conditional.trainer.ConditionalGANConfig`;
            ``augment_pad``: random shift + mirror of every face, 0 = none; ``resume``.

    Returns:
        ``({"G", "D"}, loss history)``; the last checkpoint stays until
        :func:`release_checkpoints` has seen the models saved.
    """
    faces, labels = training_faces(train_sample)
    pad = int(conditional_gan.get("augment_pad", 0))
    networks = build_conditional_gan(num_domains=NUM_CLASSES, **conditional_gan["architecture"])
    with checkpoints.hold():
        if not conditional_gan.get("resume", True):
            checkpoints.clear()
        history = train_conditional_gan(
            networks,
            faces_to_tensor(faces),
            torch.from_numpy(labels.astype(np.int64)),
            ConditionalGANConfig(**conditional_gan["training"]),
            augment=partial(random_pad_crop_flip, pad=pad) if pad else None,
            checkpoints=checkpoints,
            progress_desc="conditional G: every emotion",
        )
    return networks.as_dict(), pd.DataFrame(history)


def release_checkpoints(
    conditional_gan: dict[str, nn.Module], checkpoints: CheckpointStore
) -> None:
    """Delete the finished run's checkpoints once ``conditional_gan`` is saved and loads back."""
    ConditionalGANNetworks.from_dict(conditional_gan)
    checkpoints.clear()


def plot_loss_curve(history: pd.DataFrame, conditional_gan: dict[str, Any]) -> Figure:
    """Generator-side and discriminator-side losses of the conditional run per step."""
    return loss_curves(
        history,
        {"generator G(x, c)": _GENERATOR_LOSSES, "discriminator": _DISCRIMINATOR_LOSSES},
        "Conditional generator (StarGAN-style): losses",
        conditional_gan.get("loss_curve_smoothing", 10),
    )

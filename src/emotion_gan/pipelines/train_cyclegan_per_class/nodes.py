"""train_cyclegan_per_class: one CycleGAN per target emotion, reference class → target class.

Paper §3.1: G translates the reference class R (neutral) into the target class T, F goes back;
both are trained only on ``train_sample`` (the 20 % training sample), never on test images.
The training loop, networks and augmentation live in :mod:`emotion_gan.models.cyclegan`; these
nodes only pick the two domains, turn parameters into objects and tabulate/plot the losses.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from torch import nn

from emotion_gan.figures.training import loss_curves
from emotion_gan.imageset import ImageSet
from emotion_gan.models.cyclegan.networks import CycleGANNetworks, build_cyclegan
from emotion_gan.models.cyclegan.trainer import CycleGANConfig, train_cyclegan
from emotion_gan.models.cyclegan.translate import faces_to_tensor
from emotion_gan.models.training.augment import random_pad_crop_flip
from emotion_gan.models.training.checkpoints import CheckpointStore
from emotion_gan.vocabulary import label_of

#: Losses as plotted: generator side (what G and F minimise) and discriminator side.
_GENERATOR_LOSSES = {
    "loss_g": "adversarial G (R→T)",
    "loss_f": "adversarial F (T→R)",
    "cycle": "cycle (L1, unweighted)",
    "identity": "identity (L1, unweighted)",
}
_DISCRIMINATOR_LOSSES = {"loss_d_r": "D_R", "loss_d_t": "D_T"}


def select_domain_faces(
    train_sample: ImageSet, reference_class: str, target_class: str
) -> tuple[np.ndarray, np.ndarray]:
    """The training faces of the reference class R and of the target class T.

    Raises:
        ValueError: a class has no training faces, or the two classes are the same.
    """
    if reference_class == target_class:
        raise ValueError(
            f"target class {target_class!r} is the reference class; a CycleGAN needs two "
            "different classes (remove its namespace or pick another reference_class)"
        )
    train = train_sample.subset(train_sample.split == "train")
    domains = []
    for role, name in (("reference", reference_class), ("target", target_class)):
        faces = train.images[train.labels == label_of(name)]
        if len(faces) == 0:
            raise ValueError(
                f"{role} class {name!r} has no images in train_sample (training split; counts: "
                f"{train.class_counts()}); re-run sample_imbalanced or drop this class"
            )
        domains.append(faces)
    return domains[0], domains[1]


def train_cyclegan_for_target_class(
    train_sample: ImageSet,
    checkpoints: CheckpointStore,
    cyclegan: dict[str, Any],
    target_class: str,
) -> tuple[dict[str, nn.Module], pd.DataFrame]:
    """Train G: reference → target (and F, D_R, D_T) on the training faces of the two classes.

    Args:
        train_sample: the imbalanced training sample (only its ``train`` split is used).
        checkpoints: scratch store of this class's run (from ``CheckpointDirDataset``).
        cyclegan: settings — ``reference_class`` (paper: neutral); ``architecture``: keywords of
            :func:`~emotion_gan.models.cyclegan.networks.build_cyclegan`; ``training``: fields
            of :class:`~emotion_gan.models.cyclegan.trainer.CycleGANConfig`; ``augment_pad``:
            random shift in pixels (with a random mirror) of every training face, 0 = none;
            ``resume``: continue from the newest checkpoint if there is one.
        target_class: the emotion G learns to produce (e.g. ``"disgust"``).

    Returns:
        ``({"G", "F", "D_R", "D_T"}, loss history)``. The last checkpoint stays until
        :func:`release_checkpoints` has seen the models saved: a crash between training and
        the catalog's save resumes at the end instead of losing the run.
    """
    reference_class = cyclegan["reference_class"]
    reference, target = select_domain_faces(train_sample, reference_class, target_class)
    pad = int(cyclegan.get("augment_pad", 0))
    networks = build_cyclegan(**cyclegan.get("architecture", {}))
    with checkpoints.hold():  # no other run of this class may clear or write them meanwhile
        if not cyclegan.get("resume", True):
            checkpoints.clear()
        history = train_cyclegan(
            networks,
            faces_to_tensor(reference),
            faces_to_tensor(target),
            CycleGANConfig(**cyclegan["training"]),
            augment=partial(random_pad_crop_flip, pad=pad) if pad else None,
            checkpoints=checkpoints,
            progress_desc=f"CycleGAN {reference_class}→{target_class}",
        )
    return networks.as_dict(), pd.DataFrame(history)


def release_checkpoints(cyclegan: dict[str, nn.Module], checkpoints: CheckpointStore) -> None:
    """Delete a finished run's checkpoints, once its models are safely versioned.

    Takes the *saved* ``{target_class}.cyclegan`` as input, so Kedro runs it only after the
    catalog wrote the models and they loaded back; until then the checkpoints are the only copy
    of the run. Raises if the bundle is incomplete (then the checkpoints are kept).
    """
    CycleGANNetworks.from_dict(cyclegan)
    checkpoints.clear()


def plot_loss_curve(history: pd.DataFrame, target_class: str, cyclegan: dict[str, Any]) -> Figure:
    """Loss curves of one CycleGAN: generator-side and discriminator-side losses per step.

    Smoothed over ``cyclegan["loss_curve_smoothing"]`` logged steps (default 10).
    """
    return loss_curves(
        history,
        {"generators G, F": _GENERATOR_LOSSES, "discriminators (LSGAN)": _DISCRIMINATOR_LOSSES},
        f"CycleGAN {cyclegan['reference_class']}→{target_class}: losses (eq. 2–5)",
        cyclegan.get("loss_curve_smoothing", 10),
    )

"""train_baseline: one classifier per (variant, seed) on the same step budget.

A variant says which generated classes join the real 20 % sample (the paper's +disgust / +sad /
all six) and which cheap alternative to GAN augmentation it uses instead (class-weighted loss,
deferred re-weighting, logit-adjusted loss, random oversampling, flip + crop, SMOTE).
Everything else — architecture, optimiser, steps, seeds — is shared, so differences between
variants are due to the data treatment alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from imblearn.over_sampling import SMOTE

from emotion_gan.imageset import ImageSet
from emotion_gan.models.classifier import (
    EmotionCNN,
    TrainingSettings,
    train_classifier,
    train_seeds,
)
from emotion_gan.vocabulary import EMOTIONS, IMAGE_SIZE

REBALANCING = (
    "none",
    "class_weighted",
    "deferred_reweighting",
    "logit_adjusted",
    "oversampled",
    "smote",
)
#: Keys a ``variants.<name>`` block may hold; anything else is a typo that would be ignored.
VARIANT_KEYS = ("generated_classes", "rebalancing", "flip_crop", "reweight_from", "tau")
#: Variant settings that exist for one rebalancing only.
_SETTING_OWNERS = {"reweight_from": "deferred_reweighting", "tau": "logit_adjusted"}


def select_training_set(
    train_sample: ImageSet, augmented_train_sample: ImageSet, variant: dict[str, Any]
) -> ImageSet:
    """The real 20 % sample plus the generated images of the variant's chosen classes.

    Real images always come from ``train_sample`` itself, so every variant shares exactly the
    baseline's real images; only generated ones come from ``augmented_train_sample``.
    """
    generated = augmented_train_sample.generated_of(variant.get("generated_classes", []))
    return ImageSet.concat(
        [train_sample, generated], generated_classes=generated.metadata["generated_classes"]
    )


def smote_resample(images: ImageSet, seed: int, k_neighbors: int) -> ImageSet:
    """SMOTE on flattened 48×48 pixels up to the majority count (a naive, blending baseline).

    New images are interpolations between a minority image and one of its ``k_neighbors``
    nearest same-class neighbours; they are marked ``origin="generated"`` like GAN images.
    """
    counts = np.bincount(images.labels, minlength=len(EMOTIONS))
    smallest = int(counts[counts > 0].min())
    if smallest < 2:
        rare = [EMOTIONS[k] for k in np.flatnonzero(counts == 1)]
        raise ValueError(f"SMOTE needs at least 2 images per class; {rare} have only one")
    sampler = SMOTE(k_neighbors=min(k_neighbors, smallest - 1), random_state=seed)
    flat = images.images.reshape(len(images), -1).astype(np.float32)
    resampled, labels = sampler.fit_resample(flat, images.labels)
    extra = slice(len(images), None)  # imbalanced-learn appends the synthetic rows
    synthetic = ImageSet.from_arrays(
        np.clip(np.rint(resampled[extra]), 0, 255)
        .astype(np.uint8)
        .reshape(-1, IMAGE_SIZE, IMAGE_SIZE),
        labels[extra],
        origin="generated",
        metadata={"method": "SMOTE", "seed": seed},
    )
    return ImageSet.concat([images, synthetic])


def training_settings(classifier: dict[str, Any], variant: dict[str, Any]) -> TrainingSettings:
    """Shared training parameters + the variant's loss/sampling/augmentation switches.

    ``classifier.training.flip_crop`` (a CPU recipe may augment every variant) or the
    variant's own ``flip_crop`` turns augmentation on. ``deferred_reweighting`` needs
    ``reweight_from`` (share of steps before the class weights start), ``logit_adjusted``
    needs ``tau``; each is refused on any other rebalancing, so a setting never silently
    does nothing.
    """
    unknown = sorted(set(variant) - set(VARIANT_KEYS))
    if unknown:
        raise ValueError(f"unknown variant keys {unknown}; a variant may set {VARIANT_KEYS}")
    rebalancing = variant.get("rebalancing", "none")
    if rebalancing not in REBALANCING:
        raise ValueError(f"rebalancing must be one of {REBALANCING}; got {rebalancing!r}")
    for key, owner in _SETTING_OWNERS.items():
        if (key in variant) != (rebalancing == owner):
            raise ValueError(
                f"`{key}` belongs with rebalancing {owner!r} (and it needs it); this variant "
                f"has rebalancing {rebalancing!r} and {'sets' if key in variant else 'lacks'} it"
            )
    training = dict(classifier["training"])
    switches = {
        "classifier.training.flip_crop": training.pop("flip_crop", False),
        "the variant's flip_crop": variant.get("flip_crop", False),
    }
    for where, value in switches.items():
        if not isinstance(value, bool):
            raise TypeError(f"{where} must be true or false; got {value!r}")
    return TrainingSettings(  # checks the types of reweight_from and tau (models/training/fields)
        **training,
        class_weighted=rebalancing in ("class_weighted", "deferred_reweighting"),
        reweight_from=variant.get("reweight_from", 0.0),
        logit_adjustment=variant.get("tau", 0.0),
        balanced_sampling=rebalancing == "oversampled",
        flip_crop=any(switches.values()),
    )


def train_classifiers(
    training_set: ImageSet,
    classifier: dict[str, Any],
    variant: dict[str, Any],
    smote: dict[str, Any],
) -> tuple[dict[str, EmotionCNN], dict[str, Any]]:
    """Train one classifier per seed in ``classifier["seeds"]``.

    Returns ``({seed: model}, summary)`` where ``summary`` records the training-set
    composition and each seed's loss history. (Kedro's error for a failing node names the
    variant's namespace; the training loop's errors name the seed.)
    """
    settings = training_settings(classifier, variant)
    smote_sets: dict[str, Any] = {}

    def train_one(model: EmotionCNN, seed: int) -> dict[str, list[Any]]:
        images = training_set
        if variant.get("rebalancing") == "smote":
            images = smote_resample(training_set, seed, smote["k_neighbors"])
            smote_sets[str(seed)] = images.counts_by_origin()
        history = train_classifier(
            model, images.images, images.labels, settings, seed=seed, run_name=f"seed {seed}"
        )
        return history.as_dict()

    models, histories = train_seeds(
        classifier["seeds"], classifier["architecture"], train_one, run_name="classifier"
    )
    summary: dict[str, Any] = {
        "variant": variant,
        "steps": settings.steps,
        "training_set": training_set.counts_by_origin(),
        "loss_history": histories,
    }
    if smote_sets:
        summary["smote_training_set"] = smote_sets
    return models, summary

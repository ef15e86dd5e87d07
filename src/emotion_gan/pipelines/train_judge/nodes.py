"""train_judge: an independent face classifier that measures generated images (never trains them).

The judge learns from ``judge_faces_raw`` — in the FER2013 envs the same CSV, of which only the
Training split is kept and every face identical to one in ``train_sample`` or the test sets is
dropped (≈ 23k faces no CycleGAN or classifier of the pipeline sees); on the embedded default,
faces rendered from another seed. A stratified validation part is held out: its scores are the
judge's own report and the validation split on which generator settings are searched
(``bench/cyclegan_quality.py``), so no setting is ever chosen on a test set.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from typing import Any

import numpy as np

from emotion_gan.imageset import ImageSet
from emotion_gan.models.classifier import (
    TrainingSettings,
    predict,
    predict_logits,
    train_classifier,
)
from emotion_gan.models.judge import JudgeCNN, build_judge
from emotion_gan.stats.classification import classification_metrics, confusion_matrix
from emotion_gan.vocabulary import EMOTIONS, TRAIN_SPLIT

#: Split names of training images in a raw source: FER2013's Usage, canonical, or none yet.
_TRAINING_SPLITS = ("Training", TRAIN_SPLIT, "unsplit")


def _digests(images: np.ndarray) -> list[bytes]:
    """A 128-bit digest of each face's pixels (faces are compared by identity, not by index)."""
    return [hashlib.blake2b(face.tobytes(), digest_size=16).digest() for face in images]


def select_judge_faces(
    judge_faces_raw: ImageSet, train_sample: ImageSet, test_full: ImageSet, judge: dict[str, Any]
) -> tuple[ImageSet, ImageSet]:
    """The judge's training and validation faces: training-split faces the pipeline never uses.

    A face is dropped when its pixels equal any face of ``train_sample`` or ``test_full``
    (FER2013 holds a few exact duplicates across its splits, so dropping by identity, not by
    index, is what guarantees the judge never saw a sample or test face). The remaining faces
    are split per class: ``judge.validation_fraction`` held out, seeded by ``judge.split_seed``.

    Raises:
        ValueError: nothing is left for a class, or the validation fraction is out of range.
    """
    fraction = float(judge["validation_fraction"])
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"judge.validation_fraction must lie in (0, 1); got {fraction}")
    training = np.isin(judge_faces_raw.split, _TRAINING_SPLITS)
    used = {*_digests(train_sample.images), *_digests(test_full.images)}
    digests = _digests(judge_faces_raw.images)
    unseen = np.fromiter((d not in used for d in digests), bool, len(digests))
    pool = np.flatnonzero(training & unseen)
    rng = np.random.default_rng(int(judge["split_seed"]))
    held_out = []
    for label, name in enumerate(EMOTIONS):
        members = rng.permutation(pool[judge_faces_raw.labels[pool] == label])
        if len(members) < 2:
            raise ValueError(
                f"the judge needs at least 2 unseen training faces of {name!r} (found "
                f"{len(members)}); enlarge judge_faces_raw"
            )
        held_out.append(members[: max(1, round(fraction * len(members)))])
    validation = np.sort(np.concatenate(held_out))
    train = np.setdiff1d(pool, validation)
    provenance = {
        "purpose": "independent judge of generated faces",
        "excluded_not_training_split": int((~training).sum()),
        "excluded_identical_to_sample_or_test": int((training & ~unseen).sum()),
        "validation_fraction": fraction,
        "split_seed": int(judge["split_seed"]),
    }
    return (
        judge_faces_raw.subset(train, role="judge training", **provenance),
        judge_faces_raw.subset(validation, role="judge validation", **provenance),
    )


def _checked_strengths(judge: dict[str, Any]) -> list[float]:
    """The candidate adjustment strengths, refused before any training when out of range."""
    strengths = [float(strength) for strength in judge["logit_adjustment"]["strengths"]]
    if not strengths or not all(0.0 <= strength <= 2.0 for strength in strengths):
        raise ValueError(
            "judge.logit_adjustment.strengths must be a non-empty list of numbers in [0, 2] "
            f"(0 = plain argmax, 1 = full log-prior adjustment); got {strengths}"
        )
    return strengths


def _prior_strength(
    model: JudgeCNN,
    validation: ImageSet,
    counts: np.ndarray,
    strengths: list[float],
    inference: dict[str, Any],
) -> tuple[float, dict[str, float]]:
    """The logit-adjustment strength with the best validation macro-F1 (ties: the weaker).

    Why macro-F1 and not balanced accuracy: full adjustment of an under-trained judge buys
    recall on a rare class with precision (measured on FER2013: disgust recall 0.94 at
    precision 0.03, i.e. 31 % of neutral faces called disgust), and a judge that calls
    everything disgust cannot say whether a generated face is one. Chosen on the judge's own
    validation faces, never on a test set.
    """
    logits = predict_logits(model, validation.images, **inference)
    log_prior = np.log(counts / counts.sum())
    scores = {}
    for strength in strengths:
        predicted = (logits - float(strength) * log_prior).argmax(axis=1)
        cm = confusion_matrix(validation.labels, predicted)
        scores[strength] = classification_metrics(cm)["macro_f1"]
    best = max(scores, key=lambda strength: (scores[strength], -strength))
    return best, scores


#: Loss-level rebalancing belongs to the classifier variants: the judge trains plainly and is
#: adjusted for the prior afterwards, so these would silently stack with that adjustment.
_NOT_FOR_THE_JUDGE = ("logit_adjustment", "reweight_from")


def judge_training_settings(judge: dict[str, Any]) -> TrainingSettings:
    """``judge.training`` as :class:`TrainingSettings`, refusing settings the judge cannot use."""
    given = set(judge["training"])
    misplaced = sorted(given & set(_NOT_FOR_THE_JUDGE))
    if misplaced:
        raise ValueError(
            f"judge.training {misplaced}: loss-level rebalancing is for the classifier "
            "variants; the judge adjusts for the class prior after training "
            "(judge.logit_adjustment.strengths)"
        )
    known = {field.name for field in fields(TrainingSettings)} - set(_NOT_FOR_THE_JUDGE)
    unknown = sorted(given - known)
    if unknown:
        raise ValueError(
            f"judge.training has unknown settings {unknown}; known: {', '.join(sorted(known))}"
        )
    return TrainingSettings(**judge["training"])


def train_judge(
    judge_training_faces: ImageSet, judge_validation_faces: ImageSet, judge: dict[str, Any]
) -> tuple[JudgeCNN, dict]:
    """Train the judge with the classifier's loop; return it and its loss history.

    After training, its logits are adjusted for the training set's class prior (logit
    adjustment, :meth:`JudgeCNN.adjust_for_prior`) by the strength of
    ``judge.logit_adjustment.strengths`` with the best validation macro-F1: relative fidelity
    needs a judge that recognises rare classes without calling every face one of them.

    Raises:
        ValueError: ``judge.training`` names a setting the judge cannot use.
    """
    settings = judge_training_settings(judge)
    strengths = _checked_strengths(judge)
    model = build_judge(int(judge["seed"]), **judge["architecture"])
    history = train_classifier(
        model,
        judge_training_faces.images,
        judge_training_faces.labels,
        settings,
        seed=int(judge["seed"]),
        run_name="judge",
    )
    counts = np.bincount(judge_training_faces.labels, minlength=len(EMOTIONS)).astype(float)
    strength, scores = _prior_strength(
        model, judge_validation_faces, counts, strengths, judge["inference"]
    )
    model.adjust_for_prior(counts, strength)
    summary = {
        "training_set": judge_training_faces.class_counts(),
        "logit_adjustment": {
            "strength": strength,
            "validation_macro_f1_by_strength": scores,
        },
        "steps": settings.steps,
        "loss_history": history.as_dict(),
    }
    return model, summary


def evaluate_judge(
    judge_model: JudgeCNN,
    judge_validation_faces: ImageSet,
    test_full: ImageSet,
    judge: dict[str, Any],
) -> dict[str, Any]:
    """The judge's own top-1, macro-F1 and per-class recall on its validation part and the test
    split, reported beside every number it judges (an instrument states its accuracy)."""
    report: dict[str, Any] = {"architecture": judge_model.config}
    for name, faces in (("validation", judge_validation_faces), ("test_full", test_full)):
        predicted = predict(judge_model, faces.images, **judge["inference"])
        report[name] = classification_metrics(confusion_matrix(faces.labels, predicted))
    return report

"""transfer: FER-trained classifiers fine-tuned on a small set, against the same CNN from scratch.

Table 2's rows FER+SFEW and FER+JAFFE: the paper's baseline and DAG models, trained on FER2013,
fine-tuned on a small dataset and tested there. ``scratch`` — the same CNN trained on the
small set alone — is the reference every comparison is made against: without it a number
says nothing about what FER2013 contributed. The small set is split once (grouped by subject
where the file names say who is in them, :mod:`emotion_gan.stats.splits`); every source is
trained and tested on the same folds with the same seeds, so all comparisons are paired.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from emotion_gan.imageset import ImageSet
from emotion_gan.models.classifier import (
    EmotionCNN,
    TrainingSettings,
    build_classifier,
    fine_tune,
    predict_among,
)
from emotion_gan.stats.classification import classification_metrics, confusion_matrix, count_metrics
from emotion_gan.stats.paired_tests import bootstrap_weights, compare_on_test_images
from emotion_gan.stats.splits import assign_folds, folds_of
from emotion_gan.stats.summary import mean_sd
from emotion_gan.vocabulary import BASELINE, EMOTIONS, TRANSFER_SCRATCH

logger = logging.getLogger(__name__)

#: Scalar metrics summarised over folds.
TRANSFER_METRICS = ("top1_accuracy", "macro_f1", "balanced_accuracy", "one_vs_rest_accuracy_mean")
#: (source, reference) pairs compared on the same test images.
TRANSFER_COMPARISONS = ((BASELINE, TRANSFER_SCRATCH), ("dag", TRANSFER_SCRATCH), ("dag", BASELINE))

#: Keys of ``transfer.fine_tune`` and ``transfer.scratch``.
#: (``mode`` only in ``fine_tune``: training only the head of a random network is no scratch
#: reference, so ``transfer.scratch`` has no such key and always trains the whole network.)
TRAINING_KEYS = ("mode", "steps", "learning_rate", "flip_crop")


def split_small_set(small_faces_raw: ImageSet, transfer: dict[str, Any]) -> ImageSet:
    """The small set with each image's fold in its ``split`` column, and how it was split.

    Grouped by subject when every image names one (``subject_pattern``), per image otherwise
    — the metadata (and the report) say which. Classes without images are named as missing.
    """
    split = transfer["split"]
    folds, description = assign_folds(
        small_faces_raw.labels,
        small_faces_raw.subject if small_faces_raw.has_subjects() else None,
        protocol=split["protocol"],
        folds=split["folds"],
        test_fraction=split["test_fraction"],
        seed=split["seed"],
        given_split=small_faces_raw.split,
    )
    counts = small_faces_raw.class_counts()
    return replace(
        small_faces_raw,
        split=folds,
        metadata={
            **small_faces_raw.metadata,
            "split": description,
            "classes_present": [name for name, n in counts.items() if n],
            "classes_missing": [name for name, n in counts.items() if not n],
        },
    )


def fresh_classifiers(classifier: dict[str, Any]) -> dict[str, EmotionCNN]:
    """The scratch reference's starting point: one untrained CNN per seed (same seeds and
    architecture as the FER-trained classifiers it is compared with)."""
    return {
        str(seed): build_classifier(seed, **classifier["architecture"])
        for seed in classifier["seeds"]
    }


def transfer_settings(classifier: dict[str, Any], training: dict[str, Any]) -> TrainingSettings:
    """The classifier's training settings with the transfer block's steps, lr and flip + crop."""
    unknown = sorted(set(training) - set(TRAINING_KEYS))
    if unknown:
        raise ValueError(f"unknown transfer training keys {unknown}; known: {TRAINING_KEYS}")
    base = {k: v for k, v in classifier["training"].items() if k != "flip_crop"}
    return TrainingSettings(
        **{
            **base,
            "steps": training["steps"],
            "learning_rate": training["learning_rate"],
            "flip_crop": training["flip_crop"],
        }
    )


def _fold_seed(seed: str, fold_index: int) -> int:
    """Each (seed, fold) run its own batch stream, reproducible from the two alone."""
    return int(np.random.SeedSequence([int(seed), fold_index]).generate_state(1)[0])


def fine_tune_on_folds(
    initial_classifier: dict[str, EmotionCNN],
    small_faces: ImageSet,
    classifier: dict[str, Any],
    training: dict[str, Any],
    evaluation: dict[str, Any],
) -> tuple[dict[str, EmotionCNN], dict[str, Any]]:
    """Train every seed's model on each fold's training part; predict its test part.

    ``initial_classifier`` is ``{seed: model}``: FER-trained (baseline, DAG) or untrained
    (scratch). Predictions are restricted to the classes the small set has. The predictions
    *before* fine-tuning are kept too: for FER-trained models they measure the domain shift
    (for scratch, an untrained network, :func:`evaluate_transfer` ignores them).

    Returns ``({"fold0.seed0": model, …}, predictions)`` — the models versioned like every
    other, the predictions (per fold and seed, on that fold's test images, by image index)
    for :func:`evaluate_transfer`.
    """
    settings = transfer_settings(classifier, training)
    mode = training.get("mode", "whole")  # scratch: always the whole network (no mode key)
    classes = [EMOTIONS.index(c) for c in small_faces.metadata["classes_present"]]
    inference = evaluation["inference"]
    models: dict[str, EmotionCNN] = {}
    folds: dict[str, Any] = {}
    for index, fold in enumerate(folds_of(small_faces.split)):
        start = time.perf_counter()
        test = np.flatnonzero(fold.test)
        entry: dict[str, Any] = {"test_index": test.tolist(), "before": {}, "after": {}}
        entry["loss"] = {}
        for seed, source in initial_classifier.items():
            model, history = fine_tune(
                source,
                small_faces.images[fold.train],
                small_faces.labels[fold.train],
                settings,
                mode=mode,
                seed=_fold_seed(seed, index),
                run_name=f"{fold.name} seed {seed}",
            )
            models[f"{fold.name}.seed{seed}"] = model
            images = small_faces.images[test]
            entry["after"][seed] = predict_among(model, images, classes, **inference).tolist()
            entry["before"][seed] = predict_among(source, images, classes, **inference).tolist()
            entry["loss"][seed] = history.as_dict()
        folds[fold.name] = entry
        logger.info(
            "%s: %d seeds trained (%s, %d steps) on %d images, tested on %d, in %.1f s",
            fold.name, len(initial_classifier), mode, settings.steps, int(fold.train.sum()),
            len(test), time.perf_counter() - start,
        )  # fmt: skip
    return models, {
        "mode": mode,
        "steps": settings.steps,
        "learning_rate": settings.learning_rate,
        "flip_crop": settings.flip_crop,
        "seeds": list(initial_classifier),
        "folds": folds,
    }


def _run_metrics(y_true: np.ndarray, predicted: np.ndarray, present: list[int]) -> dict[str, Any]:
    """One run's metrics over the classes this fold's test part has.

    Classes the set lacks, or this fold's test part lacks (a CK+-style subject who never
    showed fear), have no recall (``None``, not 0) and stay out of the one-vs-rest "All",
    which they would inflate with free true negatives.
    """
    scores = classification_metrics(confusion_matrix(y_true, predicted))
    per_class = {EMOTIONS[k]: scores["per_class"][EMOTIONS[k]] for k in present}
    tested = [c for c in per_class.values() if c["support"] > 0]
    return {
        "top1_accuracy": scores["top1_accuracy"],
        "macro_f1": scores["macro_f1"],
        "balanced_accuracy": scores["balanced_accuracy"],
        "one_vs_rest_accuracy_mean": float(np.mean([c["one_vs_rest_accuracy"] for c in tested])),
        "recall": {
            name: c["recall"] if c["support"] > 0 else None for name, c in per_class.items()
        },
    }


def _fold_and_seed_spread(by_fold: list[list[float]]) -> dict[str, Any]:
    """Mean ± sd over folds of each fold's seed mean, and the within-fold sd over seeds,
    averaged (how much the seed alone moves a number; the spread of a single test part)."""
    return {
        **mean_sd([float(np.mean(values)) for values in by_fold]),
        "seed_sd": float(np.mean([mean_sd(values)["sd"] for values in by_fold])),
    }


def _over_folds(per_fold: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """:func:`_fold_and_seed_spread` of every metric; a class's recall over the folds whose
    test part has that class."""
    runs = [list(seeds.values()) for seeds in per_fold.values()]
    summary: dict[str, Any] = {
        metric: _fold_and_seed_spread([[run[metric] for run in fold] for fold in runs])
        for metric in TRANSFER_METRICS
    }
    summary["recall"] = {}
    for name in runs[0][0]["recall"]:
        by_fold = [[r["recall"][name] for r in fold] for fold in runs]
        tested = [values for values in by_fold if values[0] is not None]
        summary["recall"][name] = _fold_and_seed_spread(tested) if tested else None
    return summary


def _pooled(
    predictions: dict[str, Any], phase: str, seeds: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(test image indices, ``(S, N)`` predictions) of every fold's test part, concatenated."""
    folds = predictions["folds"].values()
    index = np.concatenate([np.asarray(f["test_index"], dtype=np.int64) for f in folds])
    stacked = np.stack(
        [np.concatenate([np.asarray(f[phase][seed]) for f in folds]) for seed in seeds]
    )
    return index, stacked


def _bootstrap_weights(
    small_faces: ImageSet, index: np.ndarray, bootstrap: dict[str, Any]
) -> tuple[np.ndarray, str]:
    """Resampling weights per pooled test image: whole subjects when they are known (images of
    one person are not independent draws), single images otherwise."""
    if not small_faces.has_subjects():
        weights = bootstrap_weights(len(index), bootstrap["resamples"], bootstrap["seed"])
        return weights, "image"
    subjects, of_image = np.unique(small_faces.subject[index], return_inverse=True)
    per_subject = bootstrap_weights(len(subjects), bootstrap["resamples"], bootstrap["seed"])
    return per_subject[:, of_image.ravel()], "subject"


def _dataset_name(small_faces: ImageSet, given: str) -> str:
    """The report's name for the small set: as given, else the folder's (``jaffe``), else the
    embedded set's — so a run on a user's folder never reads "embedded lab set"."""
    if given:
        return given
    if small_faces.metadata.get("source") == "rendered_lab_faces":
        return "embedded lab set"
    return Path(str(small_faces.metadata.get("path", "small set"))).name


#: What the report needs to know about the small set, copied from its metadata.
_DESCRIPTION_KEYS = (
    "path", "source", "classes_present", "classes_missing", "split", "crop_faces",
    "faces_not_found", "no_face", "skipped_folders", "non_square", "upscaled",
)  # fmt: skip


def _source_metrics(small_faces: ImageSet, source: str, result: dict[str, Any]) -> dict:
    """One source's metrics per fold and seed and their summary, after (and, for a
    FER-trained source, before) fine-tuning."""
    present = [EMOTIONS.index(c) for c in small_faces.metadata["classes_present"]]
    phases = ("after", "before") if source != TRANSFER_SCRATCH else ("after",)
    entry: dict[str, Any] = {k: v for k, v in result.items() if k != "folds"}
    for phase in phases:
        per_fold = {
            name: {
                seed: _run_metrics(small_faces.labels[fold["test_index"]], np.asarray(p), present)
                for seed, p in fold[phase].items()
            }
            for name, fold in result["folds"].items()
        }
        key = "fine_tuned" if phase == "after" else "before_fine_tuning"
        entry[key] = {"per_fold": per_fold, "summary": _over_folds(per_fold)}
    return entry


def _comparisons(
    small_faces: ImageSet,
    transfer: dict[str, Any],
    predictions: dict[str, dict[str, Any]],
    seeds: list[str],
) -> tuple[dict[str, Any], str]:
    """:data:`TRANSFER_COMPARISONS` on the pooled test images, and the bootstrap's unit."""
    pooled = {s: _pooled(p, "after", seeds) for s, p in predictions.items()}
    index = pooled[TRANSFER_SCRATCH][0]
    weights, unit = _bootstrap_weights(small_faces, index, transfer["bootstrap"])
    metrics = count_metrics(transfer["minority_class"])
    comparisons = {}
    for other, reference in TRANSFER_COMPARISONS:
        if not np.array_equal(pooled[other][0], index):
            raise ValueError(f"transfer source {other!r} was tested on other images than scratch")
        comparisons[f"{other}_vs_{reference}"] = compare_on_test_images(
            small_faces.labels[index],
            pooled[reference][1],
            pooled[other][1],
            weights=weights,
            metrics=metrics,
            seeds=seeds,
        )
    return comparisons, unit


def evaluate_transfer(
    small_faces: ImageSet, transfer: dict[str, Any], **predictions: dict[str, Any]
) -> dict[str, Any]:
    """Every source's metrics per fold and seed, mean ± sd over folds, and paired tests.

    ``predictions`` maps each of :data:`TRANSFER_SOURCES` to :func:`fine_tune_on_folds`'s
    output. Comparisons (paired bootstrap of macro-F1, top-1 and minority recall over the
    pooled test images — by subject when known — and McNemar per seed): each FER-trained
    source against scratch, and DAG against baseline (the paper's claim).
    """
    seeds = predictions[TRANSFER_SCRATCH]["seeds"]
    for source, result in predictions.items():
        if result["seeds"] != seeds:
            raise ValueError(
                f"transfer source {source!r} has seeds {result['seeds']} but scratch has "
                f"{seeds}; paired comparisons need the same seeds — train the FER models and "
                "scratch with the same classifier.seeds"
            )
    comparisons, unit = _comparisons(small_faces, transfer, predictions, seeds)
    subjects = len(np.unique(small_faces.subject)) if small_faces.has_subjects() else None
    return {
        "dataset": {
            "name": _dataset_name(small_faces, transfer["dataset_name"]),
            "n_images": len(small_faces),
            "class_counts": small_faces.class_counts(),
            "subjects": subjects,
            **{k: small_faces.metadata.get(k) for k in _DESCRIPTION_KEYS},
        },
        "settings": {
            "seeds": seeds,
            "bootstrap_resamples": transfer["bootstrap"]["resamples"],
            "bootstrap_unit": unit,
            "minority_class": transfer["minority_class"],
        },
        "sources": {s: _source_metrics(small_faces, s, r) for s, r in predictions.items()},
        "comparisons": comparisons,
    }

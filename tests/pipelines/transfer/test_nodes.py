"""transfer nodes on constructed predictions: metrics, comparisons and what the report says."""

import numpy as np
import pytest

from emotion_gan.imageset import ImageSet
from emotion_gan.pipelines.transfer.nodes import evaluate_transfer, split_small_set
from emotion_gan.pipelines.transfer.report import render_transfer_report, table2

TRANSFER = {
    "dataset_name": "tiny",
    "minority_class": "disgust",
    "split": {"protocol": "kfold", "folds": 2, "test_fraction": 0.2, "seed": 0},
    "bootstrap": {"resamples": 40, "seed": 0},
}
PAPER = {"FER+JAFFE": {"baseline": 93.87, "dag": 95.80}}


def _small_set(subjects: bool) -> ImageSet:
    labels = np.tile([0, 3, 4], 8)  # angry, happy, sad: four classes missing
    names = np.repeat([f"S{i}" for i in range(4)], 6) if subjects else None
    images = np.zeros((len(labels), 48, 48), np.uint8)
    return ImageSet.from_arrays(images, labels, split="unsplit", subject=names,
                                metadata={"path": "x"})  # fmt: skip


def _predictions(small: ImageSet, right: float, seeds=("0", "1")) -> dict:
    """Predictions that are correct on the first ``right`` share of each fold's test images."""
    folds = {}
    for name in sorted(set(small.split)):
        test = np.flatnonzero(small.split == name)
        wrong = np.where(small.labels[test] == 0, 3, 0)
        cut = round(right * len(test))
        predicted = np.concatenate([small.labels[test][:cut], wrong[cut:]]).tolist()
        by_seed = {seed: predicted for seed in seeds}
        folds[name] = {"test_index": test.tolist(), "before": by_seed, "after": by_seed,
                       "loss": {}}  # fmt: skip
    return {"mode": "whole", "steps": 1, "learning_rate": 1e-3, "flip_crop": False,
            "seeds": list(seeds), "folds": folds}  # fmt: skip


def test_metrics_follow_the_predictions_and_missing_classes_are_named():
    small = split_small_set(_small_set(subjects=True), TRANSFER)
    assert small.metadata["classes_missing"] == ["disgust", "fear", "surprise", "neutral"]
    metrics = evaluate_transfer(
        small, TRANSFER, scratch=_predictions(small, 0.5), baseline=_predictions(small, 1.0),
        dag=_predictions(small, 1.0),
    )  # fmt: skip
    baseline = metrics["sources"]["baseline"]["fine_tuned"]["summary"]
    assert baseline["top1_accuracy"]["mean"] == 1.0 and baseline["macro_f1"]["mean"] == 1.0
    assert baseline["one_vs_rest_accuracy_mean"]["mean"] == 1.0  # over the 3 present classes
    assert set(baseline["recall"]) == {"angry", "happy", "sad"}
    scratch = metrics["sources"]["scratch"]["fine_tuned"]["summary"]["top1_accuracy"]["mean"]
    assert scratch == pytest.approx(0.5, abs=0.05)
    gain = metrics["comparisons"]["baseline_vs_scratch"]["top1_accuracy"]["delta"]
    assert gain == pytest.approx(1.0 - scratch)
    assert metrics["comparisons"]["dag_vs_baseline"]["top1_accuracy"]["delta"] == 0.0
    assert metrics["settings"]["bootstrap_unit"] == "subject"
    frame, markdown = table2(metrics, PAPER)
    assert (
        "100.0 ± 0.0" in markdown
        and "| FER+JAFFE (paper) | DAG (FER) + fine-tune | 95.80" in markdown
    )
    assert set(frame["source"]) == {"scratch", "baseline", "dag"}
    report = render_transfer_report(metrics, markdown)
    assert "Classes missing from the set: disgust, fear, surprise, neutral" in report


def test_without_subjects_the_report_says_the_split_is_per_image():
    small = split_small_set(_small_set(subjects=False), TRANSFER)
    predictions = {s: _predictions(small, 0.5) for s in ("scratch", "baseline", "dag")}
    metrics = evaluate_transfer(small, TRANSFER, **predictions)
    assert metrics["settings"]["bootstrap_unit"] == "image"
    report = render_transfer_report(metrics, table2(metrics, PAPER)[1])
    assert "**per image**" in report and "numbers are optimistic" in report


def test_sources_trained_with_other_seeds_are_refused():
    small = split_small_set(_small_set(subjects=True), TRANSFER)
    with pytest.raises(ValueError, match=r"'dag' has seeds \['0'\] but scratch has \['0', '1'\]"):
        evaluate_transfer(small, TRANSFER, scratch=_predictions(small, 0.5),
                          baseline=_predictions(small, 0.5),
                          dag=_predictions(small, 0.5, seeds=("0",)))  # fmt: skip


def test_a_class_missing_from_one_folds_test_part_is_not_scored_there():
    """A perfect classifier scores 100 % recall on every class it was tested on: a fold whose
    test part has no disgust must neither count as 0 % recall nor add free true negatives."""
    labels = np.array([0, 1, 3, 0, 3, 3])  # disgust only in fold0's test part
    small = ImageSet.from_arrays(np.zeros((6, 48, 48), np.uint8), labels,
                                 split=np.array(["fold0"] * 3 + ["fold1"] * 3),
                                 metadata={"path": "x", "split": {"protocol": "kfold", "folds": 2,
                                                                  "grouped_by": "image"},
                                           "classes_present": ["angry", "disgust", "happy"],
                                           "classes_missing": []})  # fmt: skip
    perfect = {
        "mode": "whole", "steps": 1, "learning_rate": 1e-3, "flip_crop": False, "seeds": ["0"],
        "folds": {f: {"test_index": idx, "before": {"0": labels[idx].tolist()},
                      "after": {"0": labels[idx].tolist()}, "loss": {}}
                  for f, idx in (("fold0", [0, 1, 2]), ("fold1", [3, 4, 5]))},
    }  # fmt: skip
    metrics = evaluate_transfer(small, TRANSFER, scratch=perfect, baseline=perfect, dag=perfect)
    summary = metrics["sources"]["baseline"]["fine_tuned"]["summary"]
    assert summary["recall"]["disgust"]["mean"] == 1.0 and summary["recall"]["disgust"]["n"] == 1
    assert summary["one_vs_rest_accuracy_mean"]["mean"] == 1.0
    per_fold = metrics["sources"]["baseline"]["fine_tuned"]["per_fold"]
    assert per_fold["fold1"]["0"]["recall"]["disgust"] is None
    report = render_transfer_report(metrics, table2(metrics, PAPER)[1])
    assert "| Baseline (FER) + fine-tune | 100 ± 0 | 100 ± 0 | 100 ± 0 |" in report

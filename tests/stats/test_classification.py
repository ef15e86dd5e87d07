"""Every classification metric against a hand computation on a small confusion matrix."""

from __future__ import annotations

import numpy as np
import pytest

from emotion_gan.stats.classification import (
    classification_metrics,
    confusion_matrix,
    count_metrics,
    macro_f1_from_counts,
    minority_recall_from_counts,
    one_vs_rest_mean_from_top1,
    per_class_scores,
    seed_metrics,
    stacked_confusions,
    summarise_seed_metrics,
    top1_from_counts,
    top1_from_one_vs_rest_mean,
)
from emotion_gan.stats.paired_tests import bootstrap_weights

# 3 classes, 10 images. Rows = true, columns = predicted.
CM = np.array(
    [
        [3, 1, 0],  # class 0: 4 images, 3 right
        [0, 2, 2],  # class 1: 4 images, 2 right
        [1, 0, 1],  # class 2: 2 images, 1 right
    ]
)
NAMES = ("a", "b", "c")


def test_confusion_matrix_counts_true_rows_predicted_columns() -> None:
    y_true = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2])
    y_pred = np.array([0, 0, 0, 1, 1, 1, 2, 2, 0, 2])
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, num_classes=3), CM)
    with pytest.raises(ValueError, match="outside 0..2"):
        confusion_matrix(np.array([0, 3]), np.array([0, 0]), num_classes=3)


def test_metrics_equal_hand_computation() -> None:
    m = classification_metrics(CM, NAMES)
    assert m["n"] == 10
    assert m["top1_accuracy"] == pytest.approx(6 / 10)
    # precision = TP / column sum: 3/4, 2/3, 1/3; recall = TP / row sum: 3/4, 2/4, 1/2
    precision = [3 / 4, 2 / 3, 1 / 3]
    recall = [3 / 4, 1 / 2, 1 / 2]
    f1 = [2 * p * r / (p + r) for p, r in zip(precision, recall, strict=True)]
    for k, name in enumerate(NAMES):
        assert m["per_class"][name]["precision"] == pytest.approx(precision[k])
        assert m["per_class"][name]["recall"] == pytest.approx(recall[k])
        assert m["per_class"][name]["f1"] == pytest.approx(f1[k])
    assert m["macro_f1"] == pytest.approx(np.mean(f1))
    assert m["balanced_accuracy"] == pytest.approx(np.mean(recall))
    # one-vs-rest (TP + TN) / N: class a: TP 3, FP 1, FN 1 → TN 5 → 8/10;
    # class b: TP 2, FP 1, FN 2 → TN 5 → 7/10; class c: TP 1, FP 2, FN 1 → TN 6 → 7/10
    ovr = [0.8, 0.7, 0.7]
    for k, name in enumerate(NAMES):
        assert m["per_class"][name]["one_vs_rest_accuracy"] == pytest.approx(ovr[k])
    assert m["one_vs_rest_accuracy_mean"] == pytest.approx(np.mean(ovr))
    # mean one-vs-rest = 1 − 2e/K with e = 0.4, K = 3
    assert m["one_vs_rest_accuracy_mean"] == pytest.approx(1 - 2 * 0.4 / 3)
    assert one_vs_rest_mean_from_top1(0.6, num_classes=3) == pytest.approx(np.mean(ovr))


def test_paper_all_91_percent_is_about_69_percent_top1() -> None:
    assert top1_from_one_vs_rest_mean(0.9104) == pytest.approx(0.6864, abs=1e-4)
    assert one_vs_rest_mean_from_top1(0.6864) == pytest.approx(0.9104, abs=1e-4)


def test_absent_class_is_left_out_of_macro_averages_and_never_predicted_precision_is_zero() -> None:
    cm = np.array([[2, 0, 0], [1, 1, 0], [0, 0, 0]])  # class c: no test image, never predicted
    m = classification_metrics(cm, NAMES)
    assert m["per_class"]["c"]["precision"] == 0.0 and m["per_class"]["c"]["support"] == 0
    f1_a = 2 * (2 / 3) * 1 / (2 / 3 + 1)
    f1_b = 2 * 1 * 0.5 / 1.5
    assert m["macro_f1"] == pytest.approx((f1_a + f1_b) / 2)
    assert m["balanced_accuracy"] == pytest.approx((1 + 0.5) / 2)
    with pytest.raises(ValueError, match="empty"):
        per_class_scores(np.zeros((3, 3)))


def test_vectorised_count_metrics_agree_with_scalar_metrics() -> None:
    m = classification_metrics(CM, NAMES)
    stack = np.stack([CM, CM])
    np.testing.assert_allclose(macro_f1_from_counts(stack), [m["macro_f1"]] * 2)
    np.testing.assert_allclose(top1_from_counts(stack), [0.6, 0.6])
    np.testing.assert_allclose(minority_recall_from_counts(1)(stack), [0.5, 0.5])


def test_stacked_confusions_with_and_without_bootstrap_weights() -> None:
    y = np.array([0, 1, 1, 2])
    preds = np.array([[0, 1, 0, 2], [0, 0, 0, 0]])
    plain = stacked_confusions(y, preds, num_classes=3)
    np.testing.assert_array_equal(plain[0], confusion_matrix(y, preds[0], 3))
    np.testing.assert_array_equal(plain[1], confusion_matrix(y, preds[1], 3))
    weights = np.array([[1, 1, 1, 1], [4, 0, 0, 0]], dtype=np.float32)  # identity / image 0 ×4
    boot = stacked_confusions(y, preds, weights, num_classes=3)
    np.testing.assert_array_equal(boot[0], plain)
    assert boot[1, 0, 0, 0] == 4 and boot[1].sum() == 8
    w = bootstrap_weights(50, 7, seed=0)
    assert w.shape == (7, 50) and (w.sum(axis=1) == 50).all()


def test_count_metrics_name_the_minority_recall_by_class() -> None:
    stack = np.zeros((1, 7, 7))
    stack[0, 1, 1], stack[0, 1, 6], stack[0, 0, 0] = 3, 1, 5  # disgust: 3 of 4 right
    metrics = count_metrics("disgust")
    assert list(metrics) == ["macro_f1", "top1_accuracy", "minority_recall"]
    np.testing.assert_allclose(metrics["minority_recall"](stack), [0.75])
    with pytest.raises(ValueError, match="unknown emotion 'joy'"):
        count_metrics("joy")


def test_seed_summary_is_mean_and_sample_sd_of_each_seed_metric() -> None:
    y = np.array([0, 1, 2, 0, 1, 2])
    predictions = np.array([[0, 1, 2, 0, 1, 2], [0, 0, 2, 0, 1, 1]])
    per_seed = seed_metrics(y, predictions, ["0", "1"])
    assert list(per_seed) == ["0", "1"]
    assert per_seed["0"]["top1_accuracy"] == 1.0 and per_seed["1"]["top1_accuracy"] == 4 / 6
    assert np.array(per_seed["1"]["confusion_matrix"]).sum() == 6
    summary = summarise_seed_metrics(per_seed)
    assert list(summary)[:4] == [
        "top1_accuracy", "macro_f1", "balanced_accuracy", "one_vs_rest_accuracy_mean",
    ]  # fmt: skip
    assert summary["top1_accuracy"] == pytest.approx(
        {"mean": 5 / 6, "sd": np.std([1, 4 / 6], ddof=1), "n": 2}
    )
    assert summary["per_class"]["disgust"]["recall"]["mean"] == pytest.approx(0.75)

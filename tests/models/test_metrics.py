"""Every metric against a hand computation on a small confusion matrix."""

from __future__ import annotations

import numpy as np
import pytest

from emotion_gan.models.metrics import (
    bootstrap_weights,
    classification_metrics,
    confusion_matrix,
    macro_f1_from_counts,
    mcnemar_test,
    mean_sd,
    minority_recall_from_counts,
    one_vs_rest_mean_from_top1,
    paired_bootstrap,
    per_class_scores,
    stacked_confusions,
    top1_from_counts,
    top1_from_one_vs_rest_mean,
)

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


def test_mean_sd_uses_sample_standard_deviation() -> None:
    assert mean_sd([1.0, 2.0, 3.0]) == {"mean": 2.0, "sd": 1.0, "n": 3}
    assert mean_sd([0.5]) == {"mean": 0.5, "sd": 0.0, "n": 1}


def test_mcnemar_exact_on_a_known_table() -> None:
    # b = 1 (baseline right, variant wrong), c = 9: p = 2·P(X ≤ 1), X ~ Bin(10, ½) = 22/1024
    baseline = np.array([True] * 1 + [False] * 9 + [True] * 5)
    variant = np.array([False] * 1 + [True] * 9 + [True] * 5)
    result = mcnemar_test(baseline, variant)
    assert (result["b"], result["c"]) == (1, 9)
    assert result["p_exact"] == pytest.approx(22 / 1024)
    assert result["p_mid"] == pytest.approx(2 * (11 / 1024 - 0.5 * 10 / 1024))
    same = mcnemar_test(baseline, baseline)
    assert same["p_exact"] == 1.0 and same["b"] == same["c"] == 0


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


def test_paired_bootstrap_detects_a_real_difference_and_not_a_null_one() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 7, 600)
    weights = bootstrap_weights(600, 500, seed=1)
    noisy = np.where(rng.random((3, 600)) < 0.5, y, rng.integers(0, 7, (3, 600)))
    better = np.where(rng.random((3, 600)) < 0.8, y, rng.integers(0, 7, (3, 600)))
    strong = paired_bootstrap(y, noisy, better, top1_from_counts, weights)
    expected = np.mean(better == y) - np.mean(noisy == y)
    assert strong["delta"] == pytest.approx(expected)
    assert strong["ci_low"] > 0 and strong["p_value"] == pytest.approx(2 / 501)
    null = paired_bootstrap(y, noisy, noisy, macro_f1_from_counts, weights)
    assert null["delta"] == 0 and null["p_value"] == 1.0
    with pytest.raises(ValueError, match="same test images"):
        paired_bootstrap(y, noisy, better[:2], top1_from_counts, weights)

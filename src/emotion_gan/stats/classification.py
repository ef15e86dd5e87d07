"""Classification metrics and the paper's one-vs-rest "accuracy" of confusion matrices.

Pure numpy (no Kedro, no scikit-learn) so every number in the report can be traced to a few
lines here. Conventions:

* A confusion matrix ``cm`` has rows = true class, columns = predicted class.
* Macro averages (macro-F1, balanced accuracy) run over the classes *present in the test set*
  (support > 0): a class with no test image has no recall to average. Precision of a class that
  is never predicted is 0 (as scikit-learn's ``zero_division=0``).
* The paper's per-class "accuracy" (Tables 1–2) is one-vs-rest: ``(TP + TN) / N`` for that
  class, and "All" is the mean over the K classes. Every misclassified image is one false
  negative (its true class) and one false positive (its predicted class), so the mean equals
  ``1 − 2e/K`` for top-1 error ``e``: with K = 7 a mean of 91 % is a top-1 accuracy of ≈ 69 %.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from emotion_gan.stats.summary import mean_sd
from emotion_gan.vocabulary import EMOTIONS, NUM_CLASSES, label_of

#: Scalar metrics of one confusion matrix, in the order metrics.json lists their seed summary.
SCALAR_METRICS = ("top1_accuracy", "macro_f1", "balanced_accuracy", "one_vs_rest_accuracy_mean")
#: Per-class metrics of one confusion matrix that get a seed summary.
PER_CLASS_METRICS = ("precision", "recall", "f1", "one_vs_rest_accuracy")

#: A metric of stacked confusion matrices ``(..., K, K)`` → values ``(...)``.
CountMetric = Callable[[np.ndarray], np.ndarray]


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = NUM_CLASSES
) -> np.ndarray:
    """Counts ``cm[t, p]`` of images with true class ``t`` predicted as ``p``."""
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D of equal length; got {y_true.shape} and {y_pred.shape}"
        )
    for name, arr in (("y_true", y_true), ("y_pred", y_pred)):
        if len(arr) and (arr.min() < 0 or arr.max() >= num_classes):
            raise ValueError(f"{name} has labels outside 0..{num_classes - 1}")
    flat = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


def _safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


def per_class_scores(cm: np.ndarray) -> dict[str, np.ndarray]:
    """Per-class precision, recall, F1, one-vs-rest accuracy and support (arrays of length K)."""
    cm = np.asarray(cm, dtype=np.float64)
    total = cm.sum()
    if total == 0:
        raise ValueError("confusion matrix is empty: no test images were scored")
    tp = np.diag(cm)
    predicted = cm.sum(axis=0)
    support = cm.sum(axis=1)
    precision = _safe_divide(tp, predicted)
    recall = _safe_divide(tp, support)
    f1 = _safe_divide(2 * precision * recall, precision + recall)
    fp = predicted - tp
    fn = support - tp
    tn = total - tp - fp - fn
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "one_vs_rest_accuracy": (tp + tn) / total,
        "support": support,
    }


def classification_metrics(cm: np.ndarray, class_names: Sequence[str] = EMOTIONS) -> dict[str, Any]:
    """Every scalar and per-class metric of one confusion matrix, JSON-ready.

    Returns ``top1_accuracy``, ``macro_f1``, ``balanced_accuracy``,
    ``one_vs_rest_accuracy_mean`` (the paper's "All"), ``n``, and ``per_class`` =
    ``{name: {precision, recall, f1, one_vs_rest_accuracy, support}}``.
    """
    cm = np.asarray(cm)
    scores = per_class_scores(cm)
    present = scores["support"] > 0
    return {
        "n": int(cm.sum()),
        "top1_accuracy": float(np.trace(cm) / cm.sum()),
        "macro_f1": float(scores["f1"][present].mean()),
        "balanced_accuracy": float(scores["recall"][present].mean()),
        "one_vs_rest_accuracy_mean": float(scores["one_vs_rest_accuracy"].mean()),
        "per_class": {
            name: {
                "precision": float(scores["precision"][k]),
                "recall": float(scores["recall"][k]),
                "f1": float(scores["f1"][k]),
                "one_vs_rest_accuracy": float(scores["one_vs_rest_accuracy"][k]),
                "support": int(scores["support"][k]),
            }
            for k, name in enumerate(class_names)
        },
    }


def one_vs_rest_mean_from_top1(top1_accuracy: float, num_classes: int = NUM_CLASSES) -> float:
    """The paper's "All" implied by a top-1 accuracy: ``1 − 2·(1 − top1)/K``."""
    return 1.0 - 2.0 * (1.0 - top1_accuracy) / num_classes


def top1_from_one_vs_rest_mean(mean_accuracy: float, num_classes: int = NUM_CLASSES) -> float:
    """Top-1 accuracy implied by the paper's "All": ``1 − K·(1 − mean)/2``."""
    return 1.0 - num_classes * (1.0 - mean_accuracy) / 2.0


def stacked_confusions(
    y_true: np.ndarray,
    predictions: np.ndarray,
    weights: np.ndarray | None = None,
    num_classes: int = NUM_CLASSES,
) -> np.ndarray:
    """Confusion matrices of ``(S, N)`` predictions: ``(S, K, K)``, or ``(R, S, K, K)``.

    With bootstrap ``weights`` ``(R, N)`` each image counts as often as it was drawn; the
    whole stack is one matrix product (fast enough for 7,000 test images × 2,000 resamples).
    """
    y_true = np.asarray(y_true, dtype=np.int64)
    predictions = np.atleast_2d(np.asarray(predictions, dtype=np.int64))
    seeds, n = predictions.shape
    if n != len(y_true):
        raise ValueError(f"predictions cover {n} images but y_true has {len(y_true)}")
    kk = num_classes * num_classes
    cells = y_true[None, :] * num_classes + predictions
    onehot = np.zeros((n, seeds * kk), dtype=np.float32)
    onehot[np.arange(n)[None, :], np.arange(seeds)[:, None] * kk + cells] = 1.0
    if weights is None:
        return onehot.sum(axis=0).reshape(seeds, num_classes, num_classes).astype(np.int64)
    return (weights @ onehot).reshape(len(weights), seeds, num_classes, num_classes)


def macro_f1_from_counts(cm: np.ndarray) -> np.ndarray:
    """Macro-F1 of a stack of confusion matrices ``(..., K, K)`` (vectorised for bootstraps)."""
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    predicted = cm.sum(axis=-2)
    support = cm.sum(axis=-1)
    f1 = _safe_divide(2 * tp, predicted + support)  # = 2PR / (P + R)
    present = support > 0
    return (f1 * present).sum(axis=-1) / np.maximum(present.sum(axis=-1), 1)


def top1_from_counts(cm: np.ndarray) -> np.ndarray:
    """Top-1 accuracy of a stack of confusion matrices ``(..., K, K)``."""
    cm = np.asarray(cm, dtype=np.float64)
    return np.trace(cm, axis1=-2, axis2=-1) / cm.sum(axis=(-2, -1))


def minority_recall_from_counts(label: int) -> CountMetric:
    """Recall of one class (e.g. disgust) of a stack of confusion matrices."""

    def recall(cm: np.ndarray) -> np.ndarray:
        cm = np.asarray(cm, dtype=np.float64)
        return _safe_divide(cm[..., label, label], cm[..., label, :].sum(axis=-1))

    return recall


def count_metrics(minority_class: str) -> dict[str, CountMetric]:
    """The metrics every variant is compared with the baseline on, by name (metrics.json order).

    ``minority_recall`` is the recall of ``minority_class`` (e.g. ``"disgust"``).
    """
    return {
        "macro_f1": macro_f1_from_counts,
        "top1_accuracy": top1_from_counts,
        "minority_recall": minority_recall_from_counts(label_of(minority_class)),
    }


def seed_metrics(
    y_true: np.ndarray, predictions: np.ndarray, seeds: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Per seed: every metric of :func:`classification_metrics` plus its confusion matrix.

    ``predictions`` is ``(S, N)``, one row per seed of ``seeds`` (same order).
    """
    matrices = stacked_confusions(y_true, predictions)
    return {
        seed: {**classification_metrics(cm), "confusion_matrix": cm.tolist()}
        for seed, cm in zip(seeds, matrices, strict=True)
    }


def summarise_seed_metrics(
    per_seed: Mapping[str, Mapping[str, Any]], class_names: Sequence[str] = EMOTIONS
) -> dict[str, Any]:
    """Mean ± sd over seeds of every scalar and per-class metric of :func:`seed_metrics`."""
    runs = list(per_seed.values())
    return {
        **{key: mean_sd([r[key] for r in runs]) for key in SCALAR_METRICS},
        "per_class": {
            name: {
                key: mean_sd([r["per_class"][name][key] for r in runs]) for key in PER_CLASS_METRICS
            }
            for name in class_names
        },
    }

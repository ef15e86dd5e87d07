"""The linear SVM and the SMOTE baseline of the toy experiment."""

from __future__ import annotations

import numpy as np
import pytest

from emotion_gan.models.toy.classifiers import accuracy, fit_linear_svm, smote_oversample


def _imbalanced(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    points = np.concatenate([rng.normal(0.0, 1.0, (300, 2)), rng.normal(2.5, 1.0, (20, 2))])
    return points, np.repeat([1, 3], [300, 20])


def test_separable_points_are_classified_perfectly() -> None:
    points = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 0.0], [5.0, 1.0]])
    labels = np.array([1, 1, 2, 2])
    assert accuracy(fit_linear_svm(points, labels), points, labels) == 1.0


def test_balanced_class_weight_moves_the_boundary_into_the_majority() -> None:
    points, labels = _imbalanced()
    probe = np.column_stack([np.linspace(-1, 4, 200), np.linspace(-1, 4, 200)])
    plain = np.sum(fit_linear_svm(points, labels).predict(probe) == 3)
    weighted = np.sum(fit_linear_svm(points, labels, class_weight="balanced").predict(probe) == 3)
    assert weighted > plain  # more of the line between the means is given to the minority


def test_smote_fills_the_minority_to_the_requested_count_only() -> None:
    points, labels = _imbalanced()
    new_points, new_labels = smote_oversample(
        points, labels, minority_class=3, minority_count=300, k_neighbors=5, seed=0
    )
    assert np.bincount(new_labels).tolist() == [0, 300, 0, 300]
    np.testing.assert_array_equal(new_points[: len(points)], points)
    synthetic = new_points[len(points) :]
    minority = points[labels == 3]
    # Interpolations between minority neighbours stay inside the minority's bounding box.
    assert (synthetic >= minority.min(axis=0) - 1e-9).all()
    assert (synthetic <= minority.max(axis=0) + 1e-9).all()


def test_bad_inputs_raise_clear_errors() -> None:
    points, labels = _imbalanced()
    with pytest.raises(ValueError, match="k_neighbors=30"):
        smote_oversample(
            points, labels, minority_class=3, minority_count=300, k_neighbors=30, seed=0
        )
    with pytest.raises(ValueError, match="can only add points"):
        smote_oversample(points, labels, minority_class=3, minority_count=10, k_neighbors=5, seed=0)
    broken = points.copy()
    broken[4, 1] = np.nan
    with pytest.raises(ValueError, match=r"rows \[4\]"):
        fit_linear_svm(broken, labels)
    with pytest.raises(ValueError, match="at least two classes"):
        fit_linear_svm(points, np.ones(len(points), dtype=int))

"""The §4.1 classifier and the rebalancing baselines it is compared with.

The paper uses "SVMs with linear kernel" (LIBSVM, ref. [14]); :class:`sklearn.svm.SVC` with
``kernel="linear"`` is that classifier (one-vs-one on three classes). Every method below changes
only what the same SVM is trained on (or how its errors are weighted), so accuracy differences
come from the data, not from the classifier.
"""

from __future__ import annotations

import numpy as np
from imblearn.over_sampling import SMOTE
from sklearn.svm import SVC


def fit_linear_svm(
    points: np.ndarray,
    labels: np.ndarray,
    *,
    regularisation_c: float = 1.0,
    class_weight: str | None = None,
) -> SVC:
    """Fit the paper's linear-kernel SVM; ``class_weight="balanced"`` is the reweighting baseline.

    ``class_weight="balanced"`` scales each class's hinge loss by N / (K·N_k), the cheapest
    answer to imbalance: no new points, only a different loss.
    """
    if len(np.unique(labels)) < 2:
        raise ValueError(
            f"an SVM needs at least two classes, got labels {np.unique(labels).tolist()}"
        )
    if not np.isfinite(points).all():
        bad_rows = np.flatnonzero(~np.isfinite(points).all(axis=1))[:5].tolist()
        raise ValueError(
            f"training points contain NaN/inf (rows {bad_rows}); a generator probably diverged "
            "— check the CycleGAN losses of that seed"
        )
    return SVC(kernel="linear", C=regularisation_c, class_weight=class_weight).fit(points, labels)


def accuracy(model: SVC, points: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of ``points`` whose predicted label equals ``labels`` (the paper's accuracy)."""
    return float(np.mean(model.predict(points) == labels))


def smote_oversample(
    points: np.ndarray,
    labels: np.ndarray,
    *,
    minority_class: int,
    minority_count: int,
    k_neighbors: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """SMOTE the minority class up to ``minority_count`` points (the other classes unchanged).

    SMOTE interpolates between a minority point and one of its ``k_neighbors`` nearest minority
    neighbours: like the CycleGAN it adds synthetic minority points, but it can only fill the
    convex hull of the 100 real ones — the cheap baseline the GAN has to beat.
    """
    have = int(np.sum(labels == minority_class))
    if have <= k_neighbors:
        raise ValueError(
            f"SMOTE needs more than k_neighbors={k_neighbors} points of class {minority_class}, "
            f"got {have}; lower smote.k_neighbors in parameters_toy_svm.yml"
        )
    if minority_count < have:
        raise ValueError(
            f"SMOTE can only add points: class {minority_class} already has {have} > "
            f"minority_count={minority_count}"
        )
    sampler = SMOTE(
        sampling_strategy={minority_class: int(minority_count)},
        k_neighbors=k_neighbors,
        random_state=seed,
    )
    resampled_points, resampled_labels = sampler.fit_resample(points, labels)
    return np.asarray(resampled_points), np.asarray(resampled_labels)

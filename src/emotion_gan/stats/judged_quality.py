"""GAN quality measured by the independent judge: does G's output carry the target expression?

All inputs are the judge's outputs (its penultimate features and predicted labels), never a
generator's or an augmented classifier's, so nothing here can be flattered by the method it
measures (Ravuri & Vinyals 2019: judge with a classifier trained on real data; Kynkäänniemi et
al. 2023: compute Fréchet distances in a face model's features, not Inception's).

Per target class T (reference class R = neutral):

* **label fidelity**: share of generated T faces the judge calls T; **relative fidelity** = that
  / the judge's recall on real test faces of T (1.0 = as recognisable as real faces);
* **movement**: Fréchet distance (FD) from generated T to real test T, beside the *source line*
  (the R faces G translated, i.e. what "G = identity" would score) and the *floor* (real
  training T — as close as real faces of T get). A working G sits well below the source line.
  Every FD is computed from the same number of faces ``n`` (the smallest set, capped), because
  FD's estimation bias grows as ``n`` shrinks: unequal sizes would compare biases;
* **fidelity / coverage**: k-NN precision and recall (Kynkäänniemi et al. 2019) of generated T
  against real test T;
* **still reference**: share of generated faces the judge still calls R.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Judged:
    """Faces as the judge sees them: penultimate features ``(N, D)`` and labels ``(N,)``."""

    features: np.ndarray
    predictions: np.ndarray

    def __post_init__(self) -> None:
        features = np.asarray(self.features, dtype=np.float64)
        predictions = np.asarray(self.predictions, dtype=np.int64)
        if features.ndim != 2 or predictions.shape != (len(features),):
            raise ValueError(
                f"Judged needs features (N, D) and N predictions; got {features.shape} and "
                f"{predictions.shape}"
            )
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "predictions", predictions)

    def __len__(self) -> int:
        return len(self.predictions)

    def share(self, label: int) -> float | None:
        """Share of faces the judge assigns ``label`` (``None`` for an empty set)."""
        return float(np.mean(self.predictions == label)) if len(self) else None


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to feature sets ``a (N, D)`` and ``b (M, D)``.

    ``‖μa − μb‖² + Tr(Σa + Σb − 2 (Σa^½ Σb Σa^½)^½)``, with the matrix square root taken by
    symmetric eigendecompositions (stable for the rank-deficient covariances of small sets,
    where ``scipy.linalg.sqrtm`` returns complex noise). Needs at least 2 rows per set.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if len(a) < 2 or len(b) < 2 or a.shape[1] != b.shape[1]:
        raise ValueError(
            f"frechet_distance needs two sets of >= 2 feature rows of equal width; got "
            f"{a.shape} and {b.shape}"
        )
    difference = a.mean(axis=0) - b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    eigenvalues, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ vectors.T
    middle = root_a @ cov_b @ root_a
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0.0, None)).sum()
    value = difference @ difference + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_root
    return float(max(value, 0.0))


def _pairwise(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    squared = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.clip(squared, 0.0, None))


def _kth_neighbour_radius(points: np.ndarray, k: int) -> np.ndarray:
    distances = _pairwise(points, points)
    np.fill_diagonal(distances, np.inf)
    return np.sort(distances, axis=1)[:, k - 1]


def knn_precision_recall(real: np.ndarray, generated: np.ndarray, k: int = 3) -> dict[str, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019) in feature space.

    Each set's manifold is the union of balls around its points with radius = distance to the
    point's k-th nearest neighbour in the same set. Precision = share of generated points inside
    the real manifold (are they realistic?); recall = share of real points inside the generated
    manifold (is the real variety covered?). Both sets need more than ``k`` points.
    """
    real = np.asarray(real, dtype=np.float64)
    generated = np.asarray(generated, dtype=np.float64)
    if min(len(real), len(generated)) <= k:
        raise ValueError(f"k-NN precision/recall with k={k} needs more than {k} points per set")
    cross = _pairwise(real, generated)
    precision = (cross <= _kth_neighbour_radius(real, k)[:, None]).any(axis=0).mean()
    recall = (cross <= _kth_neighbour_radius(generated, k)[None, :]).any(axis=1).mean()
    return {"precision": float(precision), "recall": float(recall), "k": k}


def _subsample(features: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    if len(features) <= n:
        return features
    return features[np.sort(rng.choice(len(features), n, replace=False))]


def judged_quality(
    *,
    target: int,
    reference: int,
    generated: Judged,
    source: Judged,
    real_train_target: Judged,
    real_test_target: Judged,
    max_faces: int = 1000,
    k: int = 3,
    seed: int = 0,
) -> dict[str, Any]:
    """Every judge-based quality number of one generated class (JSON-ready; see module doc).

    Args:
        target, reference: labels of T and R.
        generated: the generated T faces; source: the R faces they were translated from.
        real_train_target: real training faces of T (what G's discriminator saw) — the floor.
        real_test_target: real test faces of T — the reference every distance is measured to.
        max_faces: cap on ``n``, the common number of faces each FD is computed from.
        k: neighbours of the k-NN precision/recall.
        seed: seed of the subsampling to ``n`` faces.
    """
    if len(real_test_target) == 0:
        raise ValueError(f"no real test faces of class {target} to judge generated ones against")
    recall_real = real_test_target.share(target)
    fidelity = generated.share(target)
    rng = np.random.default_rng(seed)
    n = min(len(generated), len(source), len(real_train_target), max_faces)
    reference_features = real_test_target.features
    distances: dict[str, Any] = {"n": int(n)}
    if n >= 2 and len(reference_features) >= 2:
        for name, faces in (
            ("generated", generated),
            ("source_line", source),
            ("floor", real_train_target),
        ):
            subset = _subsample(faces.features, n, rng)
            distances[name] = frechet_distance(subset, reference_features)
        distances["generated_over_source"] = (
            distances["generated"] / distances["source_line"] if distances["source_line"] else None
        )
    coverage = None
    if min(len(generated), len(real_test_target)) > k:
        coverage = knn_precision_recall(
            reference_features, _subsample(generated.features, len(reference_features), rng), k
        )
    return {
        "generated_count": len(generated),
        "real_test_count": len(real_test_target),
        "label_fidelity": fidelity,
        "judge_recall_on_real_test": recall_real,
        "relative_fidelity": (
            fidelity / recall_real if fidelity is not None and recall_real else None
        ),
        "source_called_target": source.share(target),
        "still_reference_share": generated.share(reference),
        "frechet_distance": distances,
        "knn_precision_recall": coverage,
    }

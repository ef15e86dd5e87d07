"""The §4.1 toy world: equal-covariance 2-D Gaussian classes, their draws and their Bayes limit.

Why a separate module: every number the toy experiment reports is compared against what the
true mixture allows. Sampling and the Bayes-optimal accuracy therefore live next to each other
and share one description of the classes (:class:`GaussianClasses`). Class labels are the
paper's class numbers 1, 2, 3 (μ1, μ2, μ3), so nothing has to translate between 0- and 1-based
names. Plain numpy/scipy: usable from a notebook without Kedro.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import multivariate_normal

#: Independent random streams of one seed (numpy SeedSequence children). Drawing the oracle's
#: extra minority points or a validation set must never change the training or test points.
_STREAMS = ("train", "test", "oracle", "validation")


def _stream(seed: int, name: str) -> np.random.Generator:
    """The generator of stream ``name`` of ``seed``; other streams do not affect it."""
    children = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    return np.random.default_rng(children[_STREAMS.index(name)])


@dataclass(frozen=True)
class GaussianClasses:
    """K Gaussian classes sharing one covariance; class ``k`` has mean ``means[k-1]``."""

    means: np.ndarray
    covariance: np.ndarray

    @classmethod
    def from_lists(
        cls, means: Sequence[Sequence[float]], covariance: Sequence[Sequence[float]]
    ) -> GaussianClasses:
        """Build from parameter lists, checking shapes and that the covariance is a covariance."""
        means_array = np.asarray(means, dtype=np.float64)
        covariance_array = np.asarray(covariance, dtype=np.float64)
        if means_array.ndim != 2 or means_array.shape[0] < 2:
            raise ValueError(
                f"class means must be a list of at least two points, got shape {means_array.shape}"
            )
        dim = means_array.shape[1]
        if covariance_array.shape != (dim, dim):
            raise ValueError(
                f"covariance must be {dim}×{dim} to match the {dim}-D class means, "
                f"got shape {covariance_array.shape}"
            )
        if not np.allclose(covariance_array, covariance_array.T):
            raise ValueError(f"covariance must be symmetric, got {covariance_array.tolist()}")
        if np.linalg.eigvalsh(covariance_array).min() <= 0:
            raise ValueError(
                f"covariance must be positive definite, got {covariance_array.tolist()}"
            )
        return cls(means=means_array, covariance=covariance_array)

    @property
    def labels(self) -> np.ndarray:
        """The class labels 1..K, in the order of :attr:`means`."""
        return np.arange(1, len(self.means) + 1)

    def mean_of(self, label: int) -> np.ndarray:
        """Mean of class ``label`` (1-based, as in the paper)."""
        self.check_label(label)
        return self.means[label - 1]

    def check_label(self, label: int) -> None:
        """Raise a clear error when ``label`` names no class."""
        if int(label) not in self.labels:
            raise ValueError(
                f"class {label} does not exist: the toy classes are {self.labels.tolist()} "
                "(the paper's μ1, μ2, …); fix the class numbers in parameters_toy_svm.yml"
            )

    def sample(
        self, counts: Sequence[int], rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``counts[k-1]`` points of every class ``k``: ``(points (N, d), labels (N,))``."""
        if len(counts) != len(self.means):
            raise ValueError(
                f"got {len(counts)} class counts for {len(self.means)} classes; give one count "
                "per class"
            )
        if any(int(count) < 0 for count in counts):
            raise ValueError(f"class counts must be non-negative, got {list(counts)}")
        points = [
            rng.multivariate_normal(mean, self.covariance, size=int(count))
            for mean, count in zip(self.means, counts, strict=True)
        ]
        labels = np.repeat(self.labels, [int(count) for count in counts])
        return np.concatenate(points), labels

    def sample_class(self, label: int, count: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``count`` points of the one class ``label``."""
        return rng.multivariate_normal(self.mean_of(label), self.covariance, size=int(count))

    def density(self, label: int, points: np.ndarray) -> np.ndarray:
        """Probability density of class ``label`` at ``points`` (..., d) — for contour plots."""
        return multivariate_normal(self.mean_of(label), self.covariance).pdf(points)

    def bayes_predict(
        self, points: np.ndarray, priors: Sequence[float] | None = None
    ) -> np.ndarray:
        """Bayes-optimal labels: with one shared covariance this is linear discriminant analysis."""
        scores = self._discriminant_scores(points, self._priors(priors))
        return self.labels[np.argmax(scores, axis=1)]

    def bayes_accuracy(self, priors: Sequence[float] | None = None) -> float:
        """Exact accuracy of the Bayes-optimal rule under class ``priors`` (default: equal).

        With a shared covariance Σ the rule picks the largest linear discriminant
        ``g_k(x) = μ_kᵀΣ⁻¹x − ½μ_kᵀΣ⁻¹μ_k + log π_k``. For points of class k the K−1 margins
        ``d_j = g_k − g_j`` are jointly Gaussian, so P(correct | k) = P(all d_j > 0) is a
        multivariate normal orthant probability (scipy's Genz integration, error ≪ 1e-6) —
        no Monte Carlo noise on the ceiling every method is compared with.
        """
        pi = self._priors(priors)
        precision = np.linalg.inv(self.covariance)
        accuracy = 0.0
        for k, mean_k in enumerate(self.means):
            others = [j for j in range(len(self.means)) if j != k]
            rows = np.stack([precision @ (mean_k - self.means[j]) for j in others])
            offsets = np.array(
                [
                    -0.5 * (mean_k @ precision @ mean_k - self.means[j] @ precision @ self.means[j])
                    + np.log(pi[k] / pi[j])
                    for j in others
                ]
            )
            margin_mean = rows @ mean_k + offsets
            margin_cov = rows @ self.covariance @ rows.T
            # P(d > 0) for d ~ N(m, C) equals the N(0, C) cdf at m (a fixed rng keeps the
            # quasi-Monte-Carlo integration deterministic).
            correct = float(
                multivariate_normal.cdf(
                    margin_mean,
                    mean=np.zeros(len(others)),
                    cov=margin_cov,
                    abseps=1e-9,
                    releps=1e-9,
                    rng=np.random.default_rng(0),
                )
            )
            accuracy += pi[k] * correct
        return float(accuracy)

    def _priors(self, priors: Sequence[float] | None) -> np.ndarray:
        if priors is None:
            return np.full(len(self.means), 1.0 / len(self.means))
        pi = np.asarray(priors, dtype=np.float64)
        if pi.shape != (len(self.means),) or (pi <= 0).any():
            raise ValueError(f"need one positive prior per class, got {list(priors)}")
        return pi / pi.sum()

    def _discriminant_scores(self, points: np.ndarray, priors: np.ndarray) -> np.ndarray:
        precision = np.linalg.inv(self.covariance)
        weights = self.means @ precision  # (K, d)
        offsets = -0.5 * np.einsum("kd,kd->k", weights, self.means) + np.log(priors)
        return np.asarray(points) @ weights.T + offsets


@dataclass(frozen=True)
class ToyDraw:
    """One seed's data for §4.1: the imbalanced training set, the balanced test set, and the
    extra real minority points only the oracle may see."""

    seed: int
    train_points: np.ndarray
    train_labels: np.ndarray
    test_points: np.ndarray
    test_labels: np.ndarray
    oracle_minority_points: np.ndarray

    def train_points_of(self, label: int) -> np.ndarray:
        """Training points of class ``label``; raises if the class has none."""
        points = self.train_points[self.train_labels == label]
        if len(points) == 0:
            raise ValueError(
                f"seed {self.seed}: class {label} has no training points; give it a positive "
                "train count in parameters_toy_svm.yml"
            )
        return points


def draw_toy_data(
    classes: GaussianClasses,
    *,
    train_counts: Sequence[int],
    test_counts: Sequence[int],
    minority_class: int,
    oracle_extra_count: int,
    seed: int,
) -> ToyDraw:
    """Draw one seed's training, test and oracle points from independent random streams."""
    classes.check_label(minority_class)
    train_points, train_labels = classes.sample(train_counts, _stream(seed, "train"))
    test_points, test_labels = classes.sample(test_counts, _stream(seed, "test"))
    oracle_points = classes.sample_class(
        minority_class, oracle_extra_count, _stream(seed, "oracle")
    )
    return ToyDraw(
        seed=seed,
        train_points=train_points,
        train_labels=train_labels,
        test_points=test_points,
        test_labels=test_labels,
        oracle_minority_points=oracle_points,
    )


def draw_validation_data(
    classes: GaussianClasses, counts: Sequence[int], seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A held-out draw of the test distribution for choosing settings, never the test points.

    It comes from a fourth random stream of the same seed, so tuning on it leaves every
    reported test accuracy untouched by the choice.
    """
    return classes.sample(counts, _stream(seed, "validation"))

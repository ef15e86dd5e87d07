"""The §4.1 Gaussians: sampling matches the parameters, draws are reproducible and independent,
and the Bayes-optimal accuracy is exact."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from emotion_gan.sources.toy_gaussians import (
    GaussianClasses,
    draw_toy_data,
    draw_validation_data,
)

MEANS = [[0.0, 6.0], [6.5, 7.0], [2.0, 2.0]]
COVARIANCE = [[2.0, 1.0], [1.0, 2.0]]


def _draw(classes: GaussianClasses, oracle_extra_count: int, seed: int):
    return draw_toy_data(
        classes,
        train_counts=[1000, 1000, 100],
        test_counts=[100, 100, 100],
        minority_class=3,
        oracle_extra_count=oracle_extra_count,
        seed=seed,
    )


@pytest.fixture
def classes() -> GaussianClasses:
    return GaussianClasses.from_lists(MEANS, COVARIANCE)


def test_sampling_matches_means_and_covariance(classes: GaussianClasses) -> None:
    points, labels = classes.sample([20000, 20000, 20000], np.random.default_rng(0))
    assert points.shape == (60000, 2)
    assert np.bincount(labels).tolist() == [0, 20000, 20000, 20000]
    for label, mean in zip(classes.labels, MEANS, strict=True):
        own = points[labels == label]
        # Standard errors: mean coordinate sqrt(2 / 20000) = 0.01, covariance entry ≈ 0.016.
        np.testing.assert_allclose(own.mean(axis=0), mean, atol=0.05)
        np.testing.assert_allclose(np.cov(own, rowvar=False), COVARIANCE, atol=0.08)


def test_draw_has_the_paper_counts_and_is_reproducible(classes: GaussianClasses) -> None:
    draw = _draw(classes, 900, seed=7)
    again = _draw(classes, 900, seed=7)
    assert np.bincount(draw.train_labels).tolist() == [0, 1000, 1000, 100]
    assert np.bincount(draw.test_labels).tolist() == [0, 100, 100, 100]
    assert draw.oracle_minority_points.shape == (900, 2)
    np.testing.assert_array_equal(draw.train_points, again.train_points)
    np.testing.assert_array_equal(draw.test_points, again.test_points)


def test_oracle_and_validation_streams_leave_train_and_test_untouched(
    classes: GaussianClasses,
) -> None:
    small = _draw(classes, 10, seed=3)
    large = _draw(classes, 900, seed=3)
    np.testing.assert_array_equal(small.train_points, large.train_points)
    np.testing.assert_array_equal(small.test_points, large.test_points)
    validation, _ = draw_validation_data(classes, [100, 100, 100], seed=3)
    assert not np.allclose(validation, small.test_points)


def test_bayes_accuracy_one_dimensional_is_phi_of_half_distance() -> None:
    two = GaussianClasses.from_lists([[0.0], [3.0]], [[1.0]])
    assert two.bayes_accuracy() == pytest.approx(norm.cdf(1.5), abs=1e-9)


def test_bayes_accuracy_of_the_toy_matches_monte_carlo(classes: GaussianClasses) -> None:
    exact = classes.bayes_accuracy()
    points, labels = classes.sample([100000] * 3, np.random.default_rng(1))
    monte_carlo = np.mean(classes.bayes_predict(points) == labels)
    # Monte Carlo standard error: sqrt(0.03 · 0.97 / 300000) ≈ 3e-4.
    assert exact == pytest.approx(monte_carlo, abs=1.5e-3)
    assert exact == pytest.approx(0.9701, abs=5e-4)
    # Unequal priors favour the big classes, so the same rule class can do better.
    assert classes.bayes_accuracy([1000, 1000, 100]) > exact


@pytest.mark.parametrize(
    ("means", "covariance", "message"),
    [
        ([[0.0, 0.0], [1.0, 1.0]], [[1.0, 2.0], [2.0, 1.0]], "positive definite"),
        ([[0.0, 0.0], [1.0, 1.0]], [[1.0, 0.5], [0.0, 1.0]], "symmetric"),
        ([[0.0, 0.0], [1.0, 1.0]], [[1.0]], "2×2"),
    ],
)
def test_invalid_parameters_raise_clear_errors(means, covariance, message) -> None:
    with pytest.raises(ValueError, match=message):
        GaussianClasses.from_lists(means, covariance)


def test_unknown_class_and_empty_class_are_named(classes: GaussianClasses) -> None:
    with pytest.raises(ValueError, match="class 4 does not exist"):
        draw_toy_data(
            classes,
            train_counts=[10, 10, 10],
            test_counts=[1, 1, 1],
            minority_class=4,
            oracle_extra_count=1,
            seed=0,
        )
    draw = draw_toy_data(
        classes,
        train_counts=[10, 10, 0],
        test_counts=[1, 1, 1],
        minority_class=3,
        oracle_extra_count=1,
        seed=0,
    )
    with pytest.raises(ValueError, match="seed 0: class 3 has no training points"):
        draw.train_points_of(3)

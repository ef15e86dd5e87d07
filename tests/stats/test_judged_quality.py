"""Judge-based GAN quality on constructed feature sets: identical, disjoint, identity generator."""

import numpy as np
import pytest

from emotion_gan.stats.judged_quality import (
    Judged,
    frechet_distance,
    judged_quality,
    knn_precision_recall,
)


def gaussian(n: int, mean: float, seed: int, dim: int = 8) -> np.ndarray:
    return np.random.default_rng(seed).normal(mean, 1.0, (n, dim))


def test_frechet_distance_of_a_set_with_itself_is_zero_and_grows_with_the_mean_shift():
    a = gaussian(400, 0.0, 1)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    near, far = frechet_distance(a, gaussian(400, 0.0, 2)), frechet_distance(a, gaussian(400, 3, 3))
    assert near < 0.5
    assert far == pytest.approx(8 * 9, rel=0.1)  # ‖Δμ‖² = D · 3²
    with pytest.raises(ValueError, match=">= 2 feature rows"):
        frechet_distance(a[:1], a)


def test_frechet_distance_is_finite_for_rank_deficient_covariances():
    small, wide = gaussian(5, 0.0, 1, dim=64), gaussian(7, 1.0, 2, dim=64)
    value = frechet_distance(small, wide)
    assert np.isfinite(value) and value > 0


def test_knn_precision_recall_identical_and_disjoint_sets():
    real = gaussian(200, 0.0, 1)
    same = knn_precision_recall(real, real.copy())
    assert same["precision"] == 1.0 and same["recall"] == 1.0
    apart = knn_precision_recall(real, gaussian(200, 50.0, 2))
    assert apart["precision"] == 0.0 and apart["recall"] == 0.0
    collapsed = knn_precision_recall(real, np.repeat(real[:1], 50, axis=0) + 1e-6)
    assert collapsed["precision"] == 1.0 and collapsed["recall"] < 0.1  # mode collapse


def judged(features: np.ndarray, label: int) -> Judged:
    return Judged(features, np.full(len(features), label))


def test_a_generator_that_returns_its_input_scores_the_source_class():
    """G = identity: its faces are neutral faces, so fidelity 0, FD at the source line."""
    neutral, target, reference = 6, 1, 6
    source = judged(gaussian(300, 0.0, 1), neutral)
    real_test = judged(gaussian(120, 4.0, 2), target)
    real_train = judged(gaussian(100, 4.0, 3), target)
    report = judged_quality(
        target=target, reference=reference, generated=source, source=source,
        real_train_target=real_train, real_test_target=real_test,
    )  # fmt: skip
    assert report["label_fidelity"] == 0.0 and report["relative_fidelity"] == 0.0
    assert report["still_reference_share"] == 1.0
    fd = report["frechet_distance"]
    assert fd["n"] == 100
    assert fd["generated"] == pytest.approx(fd["source_line"], rel=0.15)
    assert fd["floor"] < 0.1 * fd["source_line"]
    assert report["knn_precision_recall"]["precision"] == 0.0


def test_a_perfect_generator_scores_like_real_faces():
    target = 1
    real_test = Judged(gaussian(150, 4.0, 2), np.r_[np.full(120, target), np.full(30, 6)])
    generated = Judged(gaussian(300, 4.0, 4), np.r_[np.full(240, target), np.full(60, 6)])
    report = judged_quality(
        target=target, reference=6, generated=generated, source=judged(gaussian(300, 0, 1), 6),
        real_train_target=judged(gaussian(100, 4.0, 3), target), real_test_target=real_test,
    )  # fmt: skip
    assert report["label_fidelity"] == pytest.approx(0.8)
    assert report["judge_recall_on_real_test"] == pytest.approx(0.8)
    assert report["relative_fidelity"] == pytest.approx(1.0)
    assert report["frechet_distance"]["generated_over_source"] < 0.1
    assert report["knn_precision_recall"]["precision"] > 0.8


def test_judged_checks_shapes():
    with pytest.raises(ValueError, match="features"):
        Judged(np.zeros((3, 2)), np.zeros(2))

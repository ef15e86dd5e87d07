"""Paired tests on test images (McNemar, paired bootstrap) and over seeds (the toy's)."""

from __future__ import annotations

import numpy as np
import pytest

from emotion_gan.stats.classification import macro_f1_from_counts, top1_from_counts
from emotion_gan.stats.paired_tests import (
    bootstrap_weights,
    compare_on_test_images,
    compare_over_seeds,
    mcnemar_test,
    paired_bootstrap,
)


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


def test_compare_on_test_images_runs_every_metric_and_mcnemar_per_seed() -> None:
    y = np.tile(np.arange(7), 10)
    reference = np.stack([np.where(y == 1, 6, y)] * 2)
    other = np.stack([y, y])
    weights = bootstrap_weights(len(y), 99, seed=0)
    result = compare_on_test_images(
        y, reference, other, weights=weights, seeds=["3", "4"],
        metrics={"top1_accuracy": top1_from_counts, "macro_f1": macro_f1_from_counts},
    )  # fmt: skip
    assert list(result) == ["top1_accuracy", "macro_f1", "mcnemar_per_seed"]
    assert result["top1_accuracy"]["delta"] == pytest.approx(1 / 7)
    assert list(result["mcnemar_per_seed"]) == ["3", "4"]
    assert result["mcnemar_per_seed"]["4"]["c"] == 10


def test_compare_over_seeds_counts_and_tests() -> None:
    result = compare_over_seeds([0.90, 0.95, 0.97, 0.96], [0.90, 0.93, 0.96, 0.97], alpha=0.05)
    assert (result["wins"], result["ties"], result["losses"]) == (2, 1, 1)
    assert result["mean_difference"] == pytest.approx(0.005)  # (0 + 0.02 + 0.01 − 0.01) / 4
    assert result["sign_test_p"] == pytest.approx(1.0)  # 2 wins of 3 non-ties
    assert not result["better"]
    same = compare_over_seeds([0.9, 0.9], [0.9, 0.9], alpha=0.05)
    assert same["wilcoxon_signed_rank_p"] == 1.0 and same["paired_t_p"] is None
    with pytest.raises(ValueError, match="at least one seed"):
        compare_over_seeds([], [], alpha=0.05)


def test_compare_over_seeds_detects_a_consistent_gain() -> None:
    baseline = np.linspace(0.93, 0.96, 20)
    better = baseline + np.linspace(0.005, 0.02, 20)
    result = compare_over_seeds(better, baseline, alpha=0.05)
    assert result["wins"] == 20 and result["better"]
    assert result["wilcoxon_signed_rank_p"] < 1e-4

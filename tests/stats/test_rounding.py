"""Largest-remainder rounding keeps the total and favours the largest remainders."""

from __future__ import annotations

import numpy as np

from emotion_gan.stats.rounding import largest_remainder


def test_counts_keep_the_exact_sum_and_go_to_the_largest_remainders() -> None:
    counts = largest_remainder(np.array([1.6, 2.3, 3.1]))  # sum 7: floors 1+2+3 = 6, +1 to 1.6
    assert counts.tolist() == [2, 2, 3]
    quotas = np.random.default_rng(0).random(7) * 50
    assert largest_remainder(quotas).sum() == round(quotas.sum())


def test_an_explicit_total_and_ties_to_the_earlier_class() -> None:
    assert largest_remainder(np.full(7, 10 / 7), total=10).tolist() == [2, 2, 2, 1, 1, 1, 1]
    assert largest_remainder(np.array([0.5, 0.5]), total=1).tolist() == [1, 0]


def test_numpy_default_tie_breaking_still_keeps_the_total() -> None:
    quotas = np.array([4.0, 32 + 2 / 3, 8 + 2 / 3, 30 + 2 / 3, 39 + 1 / 3, 20.0, 28 + 2 / 3])
    counts = largest_remainder(quotas, stable_ties=False)
    assert counts.sum() == 164 and set(counts - np.floor(quotas).astype(int)) <= {0, 1}

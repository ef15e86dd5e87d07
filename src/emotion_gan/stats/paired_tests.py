"""Paired significance tests: two classifiers on the same test images, or the same seeds.

* On test images (the emotion classifiers): exact McNemar per seed on per-image correctness,
  and a paired bootstrap over test images of a metric's seed mean.
* Over seeds (the toy experiment): seed-by-seed accuracy differences, with Wilcoxon signed-rank,
  paired t and exact sign tests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.stats import binomtest, ttest_rel, wilcoxon

from emotion_gan.stats.classification import CountMetric, stacked_confusions


def _binomial_half_pmf(n: int) -> np.ndarray:
    """P(X = k) for X ~ Binomial(n, 1/2), k = 0..n, computed in log space (no underflow)."""
    k = np.arange(n + 1)
    log_comb = np.array(
        [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in k]
    )
    return np.exp(log_comb - n * math.log(2.0))


def mcnemar_test(correct_baseline: np.ndarray, correct_variant: np.ndarray) -> dict[str, float]:
    """Exact McNemar test on paired per-image correctness (same images, two classifiers).

    Only discordant images matter: ``b`` = baseline right & variant wrong, ``c`` = baseline
    wrong & variant right. Under "no difference" ``c ~ Binomial(b + c, 1/2)``. Returns the
    two-sided exact p-value and the mid-p variant (less conservative; subtracts half the
    probability of the observed table).
    """
    a = np.asarray(correct_baseline, dtype=bool)
    v = np.asarray(correct_variant, dtype=bool)
    if a.shape != v.shape:
        raise ValueError(f"paired correctness arrays differ in shape: {a.shape} vs {v.shape}")
    b = int(np.sum(a & ~v))
    c = int(np.sum(~a & v))
    n = b + c
    if n == 0:
        return {"b": 0, "c": 0, "p_exact": 1.0, "p_mid": 1.0}
    pmf = _binomial_half_pmf(n)
    k = min(b, c)
    tail = float(pmf[: k + 1].sum())
    return {
        "b": b,
        "c": c,
        "p_exact": min(1.0, 2.0 * tail),
        "p_mid": min(1.0, 2.0 * (tail - 0.5 * float(pmf[k]))),
    }


def bootstrap_weights(n_images: int, n_resamples: int, seed: int) -> np.ndarray:
    """``(R, N)`` counts: how often each test image is drawn in each bootstrap resample.

    Drawn once per test set and shared by every variant, so all comparisons against the
    baseline use the same resamples (a paired bootstrap).
    """
    rng = np.random.default_rng(seed)
    uniform = np.full(n_images, 1.0 / n_images)
    return rng.multinomial(n_images, uniform, size=n_resamples).astype(np.float32)


def paired_bootstrap(
    y_true: np.ndarray,
    baseline_predictions: np.ndarray,
    variant_predictions: np.ndarray,
    metric: CountMetric,
    weights: np.ndarray,
) -> dict[str, float]:
    """Paired bootstrap over test images of ``metric(variant) − metric(baseline)``.

    ``*_predictions`` are ``(S, N)``: one row per training seed, both on the same N test
    images; ``weights`` come from :func:`bootstrap_weights`. Each resample compares the
    seed-averaged metric of both models on the same drawn images, so the test captures
    test-set sampling noise; the seed spread is reported separately
    (:func:`emotion_gan.stats.summary.mean_sd`). ``metric`` maps stacked confusion matrices
    ``(..., K, K)`` to values (:mod:`emotion_gan.stats.classification`'s ``*_from_counts``).

    Returns the observed difference of seed means, a 95 % percentile interval of the
    resampled difference, and the two-sided p-value ``2 · min(P(Δ* ≤ 0), P(Δ* ≥ 0))`` (its
    smallest possible value is ``2 / (R + 1)``).
    """
    base = np.atleast_2d(baseline_predictions)
    var = np.atleast_2d(variant_predictions)
    if base.shape != var.shape:
        raise ValueError(
            f"baseline {base.shape} and variant {var.shape} predictions must have the same "
            "(seeds, images) shape: same seeds, same test images"
        )
    observed = float(
        metric(stacked_confusions(y_true, var)).mean()
        - metric(stacked_confusions(y_true, base)).mean()
    )
    delta = metric(stacked_confusions(y_true, var, weights)).mean(axis=1) - metric(
        stacked_confusions(y_true, base, weights)
    ).mean(axis=1)
    # (1 + count) / (1 + R): a finite-sample p-value that is never reported as exactly 0.
    tail = min(int(np.sum(delta <= 0)), int(np.sum(delta >= 0)))
    p = 2.0 * (1 + tail) / (1 + len(delta))
    return {
        "delta": observed,
        "ci_low": float(np.quantile(delta, 0.025)),
        "ci_high": float(np.quantile(delta, 0.975)),
        "p_value": min(1.0, p),
        "n_resamples": len(weights),
    }


def compare_on_test_images(
    y_true: np.ndarray,
    reference: np.ndarray,
    other: np.ndarray,
    *,
    weights: np.ndarray,
    metrics: Mapping[str, CountMetric],
    seeds: Sequence[str],
) -> dict[str, Any]:
    """``other`` vs ``reference`` (both ``(S, N)``, same seeds and images): a paired bootstrap
    of each of ``metrics`` (by name) and an exact McNemar test per seed."""
    return {
        **{
            name: paired_bootstrap(y_true, reference, other, metric, weights)
            for name, metric in metrics.items()
        },
        "mcnemar_per_seed": {
            seed: mcnemar_test(reference[i] == y_true, other[i] == y_true)
            for i, seed in enumerate(seeds)
        },
    }


def _finite_or_none(value: float) -> float | None:
    """JSON has no NaN: a test that is undefined (e.g. all differences zero) is written null."""
    return float(value) if np.isfinite(value) else None


def compare_over_seeds(
    method: Sequence[float], reference: Sequence[float], alpha: float
) -> dict[str, Any]:
    """Seed-by-seed comparison of two methods evaluated on the same draws.

    Reports the mean/sd of the differences, wins/ties/losses, and three two-sided tests:
    Wilcoxon signed-rank (zero differences dropped, the main test: accuracies on 300 test
    points are discrete and not normal), the paired t-test and the exact sign test.
    ``better`` is true when the mean difference is positive and Wilcoxon's p < ``alpha``.
    """
    differences = np.asarray(method, dtype=float) - np.asarray(reference, dtype=float)
    if len(differences) == 0:
        raise ValueError("paired comparison needs at least one seed")
    wins, losses = int((differences > 0).sum()), int((differences < 0).sum())
    nonzero = differences[differences != 0]
    wilcoxon_p = float(wilcoxon(nonzero).pvalue) if len(nonzero) else 1.0
    t_p = _finite_or_none(ttest_rel(method, reference).pvalue) if len(differences) > 1 else None
    sign_p = float(binomtest(wins, wins + losses).pvalue) if wins + losses else 1.0
    return {
        "mean_difference": float(differences.mean()),
        "sd_difference": float(differences.std(ddof=1)) if len(differences) > 1 else 0.0,
        "wins": wins,
        "ties": len(differences) - wins - losses,
        "losses": losses,
        "wilcoxon_signed_rank_p": wilcoxon_p,
        "paired_t_p": t_p,
        "sign_test_p": sign_p,
        "better": bool(differences.mean() > 0 and wilcoxon_p < alpha),
    }

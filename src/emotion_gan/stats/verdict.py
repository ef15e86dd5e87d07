"""The report's verdict from measured values only: which variant wins, and by how much.

Per criterion (a metric a majority-class classifier cannot inflate): the variants ranked by
their seed mean, the best one against the baseline, and the best variant of the GAN
augmentation family against the best cheap alternative (families from
:mod:`emotion_gan.vocabulary`), each with the seed spread and a paired bootstrap p-value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from emotion_gan.stats.classification import CountMetric, count_metrics
from emotion_gan.stats.paired_tests import paired_bootstrap
from emotion_gan.vocabulary import BASELINE, CHEAP_ALTERNATIVES, GAN_AUGMENTATION, family_members

#: What the verdict ranks variants by, in the order metrics.json lists them.
VERDICT_CRITERIA: tuple[str, ...] = ("macro_f1", "minority_recall")


@dataclass(frozen=True)
class Criterion:
    """One verdict criterion: where its seed summary sits, and the metric on confusion counts.

    ``name`` is also the key of the paired bootstrap against the baseline in ``vs_baseline``.
    """

    name: str
    of_summary: Callable[[Mapping[str, Any]], Mapping[str, float]]
    of_counts: CountMetric


def criteria(minority_class: str) -> dict[str, Criterion]:
    """Every valid verdict criterion by name; ``minority_recall`` is ``minority_class``'s."""
    counts = count_metrics(minority_class)

    def minority_recall(summary: Mapping[str, Any]) -> Mapping[str, float]:
        return summary["per_class"][minority_class]["recall"]

    return {
        "macro_f1": Criterion("macro_f1", lambda s: s["macro_f1"], counts["macro_f1"]),
        "minority_recall": Criterion("minority_recall", minority_recall, counts["minority_recall"]),
    }


def criterion(name: str, minority_class: str) -> Criterion:
    """The criterion called ``name``; an unknown name is an error listing the valid ones."""
    valid = criteria(minority_class)
    if name not in valid:
        raise ValueError(f"unknown verdict criterion {name!r}; valid criteria: {', '.join(valid)}")
    return valid[name]


@dataclass(frozen=True)
class PairedPredictions:
    """Every variant's ``(S, N)`` predictions on one test set and that set's bootstrap draws."""

    y_true: np.ndarray
    predictions: Mapping[str, np.ndarray]
    weights: np.ndarray

    def bootstrap_p_value(self, reference: str, other: str, metric: CountMetric) -> float:
        """Paired bootstrap p-value of ``metric(other) − metric(reference)``."""
        result = paired_bootstrap(
            self.y_true, self.predictions[reference], self.predictions[other], metric, self.weights
        )
        return result["p_value"]


def seed_spread_difference(
    winner: Mapping[str, float], other: Mapping[str, float], p_value: float
) -> dict[str, Any]:
    """Δ of seed means, the seed spread (sum of both seed sds) and whether Δ exceeds it."""
    delta = winner["mean"] - other["mean"]
    spread = winner["sd"] + other["sd"]
    return {
        "delta": delta,
        "seed_spread": spread,
        "exceeds_seed_spread": bool(abs(delta) > spread),
        "p_value": p_value,
    }


def family_leaders(
    stats: Mapping[str, Mapping[str, float]], families: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    """Per family with at least one variant in ``stats``: its variant of highest mean."""
    return {
        family: max(present, key=lambda v: stats[v]["mean"])
        for family, members in families.items()
        if (present := [v for v in members if v in stats])
    }


def _gan_vs_cheap_alternatives(
    crit: Criterion,
    stats: Mapping[str, Mapping[str, float]],
    paired: PairedPredictions,
    test_set: str,
) -> dict[str, Any] | None:
    """Best GAN augmentation variant vs best cheap alternative (None if a family is absent)."""
    families = {family: family_members(family) for family in (GAN_AUGMENTATION, CHEAP_ALTERNATIVES)}
    leaders = family_leaders(stats, families)
    if set(families) - set(leaders):
        return None
    gan, cheap = leaders[GAN_AUGMENTATION], leaders[CHEAP_ALTERNATIVES]
    p_value = paired.bootstrap_p_value(cheap, gan, crit.of_counts)
    return {
        "test_set": test_set,
        "gan_variant": gan,
        "alternative_variant": cheap,
        "gan": stats[gan],
        "alternative": stats[cheap],
        **seed_spread_difference(stats[gan], stats[cheap], p_value),
    }


def criterion_verdict(
    crit: Criterion,
    summaries: Mapping[str, Mapping[str, Any]],
    comparisons: Mapping[str, Mapping[str, Any]],
    paired: PairedPredictions,
    *,
    test_set: str,
    baseline: str = BASELINE,
) -> dict[str, Any]:
    """The verdict on one criterion (see the module docstring).

    ``summaries``: variant → seed summary on ``test_set``; ``comparisons``: variant → its
    paired tests against ``baseline`` (the baseline itself has none).
    """
    stats = {variant: crit.of_summary(summary) for variant, summary in summaries.items()}
    ranking = sorted(stats.items(), key=lambda item: -item[1]["mean"])
    best = ranking[0][0]
    comparison = comparisons.get(best)
    verdict: dict[str, Any] = {
        "test_set": test_set,
        "best_variant": best,
        "best": stats[best],
        "baseline": stats[baseline],
        **seed_spread_difference(
            stats[best],
            stats[baseline],
            comparison[crit.name]["p_value"] if comparison else 1.0,
        ),
        "ranking": [[variant, stat] for variant, stat in ranking],
    }
    duel = _gan_vs_cheap_alternatives(crit, stats, paired, test_set)
    if duel is not None:
        verdict["gan_vs_cheap_alternatives"] = duel
    return verdict


def verdict(
    summaries: Mapping[str, Mapping[str, Any]],
    comparisons: Mapping[str, Mapping[str, Any]],
    paired: PairedPredictions,
    *,
    test_set: str,
    minority_class: str,
    criteria_names: Sequence[str] = VERDICT_CRITERIA,
    baseline: str = BASELINE,
) -> dict[str, Any]:
    """:func:`criterion_verdict` for each of ``criteria_names`` (all validated first)."""
    chosen = [criterion(name, minority_class) for name in criteria_names]
    return {
        crit.name: criterion_verdict(
            crit, summaries, comparisons, paired, test_set=test_set, baseline=baseline
        )
        for crit in chosen
    }

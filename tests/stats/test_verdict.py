"""The verdict: an explicit criterion, the winner against the baseline, GAN vs cheap ones."""

from __future__ import annotations

import numpy as np
import pytest

from emotion_gan.stats.classification import count_metrics
from emotion_gan.stats.paired_tests import bootstrap_weights
from emotion_gan.stats.verdict import (
    VERDICT_CRITERIA,
    PairedPredictions,
    criterion,
    family_leaders,
    seed_spread_difference,
    verdict,
)

DISGUST, NEUTRAL = 1, 6


def _summary(macro_f1: float, disgust_recall: float, sd: float = 0.0) -> dict:
    return {
        "macro_f1": {"mean": macro_f1, "sd": sd, "n": 2},
        "per_class": {"disgust": {"recall": {"mean": disgust_recall, "sd": sd, "n": 2}}},
    }


@pytest.fixture
def paired() -> PairedPredictions:
    y = np.tile(np.arange(7), 10)
    wrong = np.where(y == DISGUST, NEUTRAL, y)
    half = wrong.copy()
    half[np.flatnonzero(y == DISGUST)[:5]] = DISGUST
    predictions = {"baseline": wrong, "plus_sad": wrong, "dag": y, "smote": half}
    return PairedPredictions(
        y_true=y,
        predictions={v: np.stack([p, p]) for v, p in predictions.items()},
        weights=bootstrap_weights(len(y), 199, seed=0),
    )


def test_unknown_criterion_names_the_valid_ones() -> None:
    assert criterion("macro_f1", "disgust").name == "macro_f1"
    with pytest.raises(ValueError, match="'top1'; valid criteria: macro_f1, minority_recall"):
        criterion("top1", "disgust")


def test_criterion_reads_its_summary_and_counts_the_same_metric() -> None:
    recall = criterion("minority_recall", "disgust")
    assert recall.of_summary(_summary(0.5, 0.25))["mean"] == 0.25
    stack = np.zeros((1, 7, 7))
    stack[0, DISGUST, DISGUST], stack[0, DISGUST, NEUTRAL] = 1, 3
    np.testing.assert_allclose(
        recall.of_counts(stack), count_metrics("disgust")["minority_recall"](stack)
    )


def test_seed_spread_difference() -> None:
    entry = seed_spread_difference({"mean": 0.7, "sd": 0.01}, {"mean": 0.6, "sd": 0.02}, 0.04)
    assert entry["delta"] == pytest.approx(0.1) and entry["seed_spread"] == pytest.approx(0.03)
    assert entry["exceeds_seed_spread"] is True and entry["p_value"] == 0.04


def test_family_leaders_take_the_best_present_member_first_on_ties() -> None:
    stats = {"a": {"mean": 0.5}, "b": {"mean": 0.7}, "c": {"mean": 0.7}, "d": {"mean": 0.1}}
    families = {"one": ["a", "b", "c"], "two": ["x", "d"], "none": ["y"]}
    assert family_leaders(stats, families) == {"one": "b", "two": "d"}


def test_verdict_ranks_compares_with_baseline_and_duels_the_families(paired) -> None:
    summaries = {
        "baseline": _summary(0.80, 0.0),
        "plus_sad": _summary(0.80, 0.0),
        "dag": _summary(1.0, 1.0),
        "smote": _summary(0.9, 0.5, sd=0.01),
    }
    comparisons = {v: {"macro_f1": {"p_value": 0.01}, "minority_recall": {"p_value": 0.02}}
                   for v in summaries if v != "baseline"}  # fmt: skip
    result = verdict(summaries, comparisons, paired, test_set="test_full", minority_class="disgust")
    assert list(result) == list(VERDICT_CRITERIA)
    recall = result["minority_recall"]
    assert recall["best_variant"] == "dag" and recall["p_value"] == 0.02
    assert [v for v, _ in recall["ranking"]] == ["dag", "smote", "baseline", "plus_sad"]
    duel = recall["gan_vs_cheap_alternatives"]
    assert (duel["gan_variant"], duel["alternative_variant"]) == ("dag", "smote")
    assert duel["delta"] == pytest.approx(0.5) and duel["p_value"] == pytest.approx(2 / 200)


def test_no_duel_without_a_cheap_alternative_and_baseline_winner_has_p_one(paired) -> None:
    summaries = {"baseline": _summary(0.9, 0.5), "dag": _summary(0.8, 0.4)}
    result = verdict(
        summaries, {"dag": {"macro_f1": {"p_value": 0.3}, "minority_recall": {"p_value": 0.3}}},
        paired, test_set="test_7pct", minority_class="disgust", criteria_names=["macro_f1"],
    )  # fmt: skip
    assert list(result) == ["macro_f1"]
    assert result["macro_f1"]["best_variant"] == "baseline"
    assert result["macro_f1"]["p_value"] == 1.0 and result["macro_f1"]["delta"] == 0.0
    assert "gan_vs_cheap_alternatives" not in result["macro_f1"]
    with pytest.raises(ValueError, match="unknown verdict criterion 'f1'"):
        verdict(
            summaries, {}, paired, test_set="t", minority_class="disgust", criteria_names=["f1"]
        )

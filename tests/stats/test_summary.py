"""Mean ± sd over seeds: one statistic, two report shapes."""

from __future__ import annotations

import pytest

from emotion_gan.stats.summary import mean_sd, mean_sd_per_seed


def test_mean_sd_uses_sample_standard_deviation() -> None:
    assert mean_sd([1.0, 2.0, 3.0]) == {"mean": 2.0, "sd": 1.0, "n": 3}
    assert mean_sd([0.5]) == {"mean": 0.5, "sd": 0.0, "n": 1}


def test_per_seed_shape_keeps_the_values_in_order() -> None:
    summary = mean_sd_per_seed([0.9, 0.8])
    assert list(summary) == ["mean", "sd", "per_seed"]
    assert summary["mean"] == pytest.approx(0.85) and summary["per_seed"] == [0.9, 0.8]
    assert summary["sd"] == mean_sd([0.9, 0.8])["sd"]


def test_no_value_is_an_error() -> None:
    for summary in (mean_sd, mean_sd_per_seed):
        with pytest.raises(ValueError, match="at least one value"):
            summary([])

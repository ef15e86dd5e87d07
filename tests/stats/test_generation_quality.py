"""Generation quality: the edge cases of the statistics (the pipeline tests cover the rest)."""

from __future__ import annotations

import numpy as np
import pytest

from emotion_gan.stats.generation_quality import generation_quality


def _faces(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 48, 48), dtype=np.uint8)


def test_no_generated_face_reports_counts_only_and_no_real_face_is_an_error() -> None:
    assert generation_quality(_faces(0, 0), _faces(3, 1)) == {"generated_count": 0, "real_count": 3}
    with pytest.raises(ValueError, match="no real target faces"):
        generation_quality(_faces(2, 0), _faces(0, 1))


def test_large_sets_are_subsampled_and_only_exact_inputs_count_as_sources() -> None:
    generated, sources = _faces(30, 0), _faces(30, 2)
    exact = np.arange(30) < 10
    report = generation_quality(
        generated, _faces(25, 1), sources, max_images=20, seed=0, source_is_input=exact
    )
    assert report["compared"] == {"generated": 20, "real": 20}
    assert report["source_change"]["compared"] <= 10
    assert set(report["memorisation"]) == {
        "generated_to_nearest_real", "real_to_nearest_other_real", "near_copy_threshold",
        "near_copy_fraction",
    }  # fmt: skip
    none_exact = generation_quality(
        generated, _faces(5, 1), sources, source_is_input=~exact & exact
    )
    assert "source_change" not in none_exact

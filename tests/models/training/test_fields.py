"""check_field_types: one type check for every settings dataclass."""

from __future__ import annotations

import pytest

from emotion_gan.models.classifier import TrainingSettings
from emotion_gan.models.cyclegan.trainer import CycleGANConfig


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: TrainingSettings(steps="abc"), r"steps='abc' \(expected int\)"),
        (lambda: TrainingSettings(steps=True), r"steps=True \(expected int\)"),
        (lambda: TrainingSettings(steps=5, flip_crop="yes"), r"flip_crop='yes' \(expected bool"),
        (lambda: TrainingSettings(steps=5, adam_betas=(0.9,)), r"adam_betas=\(0.9,\)"),
        (lambda: CycleGANConfig(steps=5, learning_rate="fast"), r"learning_rate='fast'"),
    ],
)
def test_a_value_of_the_wrong_type_is_named_with_its_field(build, message) -> None:
    with pytest.raises(TypeError, match=message):
        build()


def test_numbers_may_be_given_as_ints_and_sequences_as_lists() -> None:
    settings = TrainingSettings(steps=5, learning_rate=1, adam_betas=[0.9, 0.999])
    assert settings.adam_betas == (0.9, 0.999)

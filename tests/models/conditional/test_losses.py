"""The conditional objective on constructed cases whose value is known."""

from __future__ import annotations

import math

import pytest
import torch

from emotion_gan.models.conditional.losses import domain_classification_loss, reconstruction_loss


def test_a_perfect_emotion_head_has_zero_domain_loss_and_a_wrong_one_a_large_loss() -> None:
    labels = torch.tensor([0, 1, 6, 3])
    perfect = 100.0 * torch.nn.functional.one_hot(labels, 7).float()
    assert domain_classification_loss(perfect, labels) == pytest.approx(0.0, abs=1e-6)
    wrong = 100.0 * torch.nn.functional.one_hot((labels + 1) % 7, 7).float()
    assert domain_classification_loss(wrong, labels) == pytest.approx(100.0, rel=1e-4)
    uninformed = torch.zeros(4, 7)  # equal logits: the loss of guessing among 7
    assert domain_classification_loss(uninformed, labels) == pytest.approx(math.log(7))


def test_reconstruction_is_the_mean_absolute_error() -> None:
    faces = torch.rand(2, 1, 4, 4)
    assert reconstruction_loss(faces, faces) == 0.0
    assert reconstruction_loss(faces, faces + 0.5) == pytest.approx(0.5)

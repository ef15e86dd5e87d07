"""Eq. 2–5 against hand computations on tiny tensors."""

from __future__ import annotations

import pytest
import torch

from emotion_gan.models.cyclegan.losses import (
    cycle_consistency_loss,
    identity_loss,
    lsgan_discriminator_loss,
    lsgan_generator_loss,
    total_generator_loss,
)


def test_lsgan_discriminator_loss() -> None:
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.5, -1.0])
    # 0.5 * (mean((0)^2, (-1)^2) + mean(0.25, 1)) = 0.5 * (0.5 + 0.625)
    assert lsgan_discriminator_loss(real, fake).item() == pytest.approx(0.5625)


def test_lsgan_generator_loss() -> None:
    # mean((0.5 - 1)^2, (-1 - 1)^2) = (0.25 + 4) / 2
    assert lsgan_generator_loss(torch.tensor([0.5, -1.0])).item() == pytest.approx(2.125)


def test_cycle_consistency_loss() -> None:
    r, rec_r = torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.0]])  # |.| mean = 0.75
    t, rec_t = torch.tensor([[1.0, -1.0]]), torch.tensor([[1.0, 0.0]])  # |.| mean = 0.5
    assert cycle_consistency_loss(r, rec_r, t, rec_t).item() == pytest.approx(1.25)


def test_identity_loss() -> None:
    r, f_r = torch.tensor([0.0, 0.0]), torch.tensor([0.2, -0.4])  # 0.3
    t, g_t = torch.tensor([1.0, 1.0]), torch.tensor([1.0, 0.0])  # 0.5
    assert identity_loss(r, f_r, t, g_t).item() == pytest.approx(0.8)


def test_total_generator_loss_weights_cycle_and_identity() -> None:
    one = torch.tensor(1.0)
    assert total_generator_loss(one, 2 * one, 3 * one, 4 * one, 10.0, 5.0).item() == 53.0
    assert total_generator_loss(one, 2 * one, 3 * one, 4 * one, 10.0, 0.0).item() == 33.0
    assert total_generator_loss(one, 2 * one, 3 * one, None, 10.0, 5.0).item() == 33.0

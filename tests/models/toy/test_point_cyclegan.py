"""The toy CycleGAN: MLP networks, point scaling, and the shared loop computing eq. 2–5 on them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from emotion_gan.models.cyclegan.networks import CycleGANNetworks
from emotion_gan.models.cyclegan.trainer import CycleGANConfig, train_cyclegan
from emotion_gan.models.persistence import build_module, describe_module
from emotion_gan.models.toy.networks import PointDiscriminator, PointGenerator
from emotion_gan.models.toy.point_cyclegan import (
    PointCycleGANSettings,
    PointStandardiser,
    train_point_cyclegan,
)

FAST = {
    "hidden_units": 16,
    "hidden_layers": 2,
    "sds_per_unit": 3.0,
    "steps": 150,
    "batch_size": 32,
    "learning_rate": 0.03,
    "identity_loss_weight": 0.0,
    "history_pool_size": 0,
    "decay_start_fraction": 0.75,
    "device": "cpu",
    "log_every": 50,
}


def _shift_generator(shift: tuple[float, float]) -> PointGenerator:
    """G(x) = x + shift exactly: the read-out weights start at zero, only its bias is set."""
    generator = PointGenerator(dim=2, hidden_units=2, hidden_layers=1)
    with torch.no_grad():
        generator.residual[-1].bias.copy_(torch.tensor(shift))
    return generator


def _sum_of_leaky_discriminator() -> PointDiscriminator:
    """D(x) = LeakyReLU₀.₂(x₁) + LeakyReLU₀.₂(x₂)."""
    discriminator = PointDiscriminator(dim=2, hidden_units=2, hidden_layers=1)
    with torch.no_grad():
        discriminator.score[0].weight.copy_(torch.eye(2))
        discriminator.score[0].bias.zero_()
        discriminator.score[2].weight.copy_(torch.tensor([[1.0, 1.0]]))
        discriminator.score[2].bias.zero_()
    return discriminator


def test_losses_of_the_mlp_cyclegan_equal_hand_computed_values() -> None:
    # r = (1, 2), t = (−1, 0.5); G(x) = x + (1, −1); F(x) = x + (−0.5, 0.5).
    networks = CycleGANNetworks(
        generator_g=_shift_generator((1.0, -1.0)),
        generator_f=_shift_generator((-0.5, 0.5)),
        discriminator_r=_sum_of_leaky_discriminator(),
        discriminator_t=_sum_of_leaky_discriminator(),
    )
    config = CycleGANConfig(
        steps=1, batch_size=2, identity_loss_weight=5.0, history_pool_size=0, device="cpu"
    )
    (row,) = train_cyclegan(
        networks, torch.tensor([[1.0, 2.0]]), torch.tensor([[-1.0, 0.5]]), config
    )
    # G(r) = (2, 1), D_T = 3 → (3 − 1)² = 4.   F(t) = (−1.5, 1), D_R = −0.3 + 1 → (0.7 − 1)².
    assert row["loss_g"] == pytest.approx(4.0)
    assert row["loss_f"] == pytest.approx(0.09)
    # F(G(r)) − r = (0.5, −0.5), G(F(t)) − t = (0.5, −0.5): mean |·| 0.5 each way.
    assert row["cycle"] == pytest.approx(1.0)
    # G(t) − t = (1, −1) → 1;  F(r) − r = (−0.5, 0.5) → 0.5.
    assert row["identity"] == pytest.approx(1.5)
    # D_R: real r → 3, fake 0.7:  ½((3 − 1)² + 0.7²);  D_T: real t → 0.3, fake 3: ½(0.7² + 3²).
    assert row["loss_d_r"] == pytest.approx(0.5 * (4.0 + 0.49))
    assert row["loss_d_t"] == pytest.approx(0.5 * (0.49 + 9.0))


def test_generator_starts_as_the_identity_and_rebuilds_from_its_config() -> None:
    points = torch.randn(5, 2)
    generator = PointGenerator(dim=2, hidden_units=8, hidden_layers=3)
    torch.testing.assert_close(generator(points), points)
    discriminator = PointDiscriminator(dim=2, hidden_units=8, hidden_layers=1)
    assert discriminator(points).shape == (5, 1)
    for module in (generator, discriminator):
        description = describe_module(module)
        rebuilt = build_module(description["architecture"], description["config"])
        assert type(rebuilt) is type(module) and rebuilt.config == module.config


def test_standardiser_maps_three_sds_to_one_unit_and_back() -> None:
    rng = np.random.default_rng(0)
    reference, target = rng.normal(5.0, 2.0, (400, 2)), rng.normal(-1.0, 2.0, (100, 2))
    standardiser = PointStandardiser.fit(reference, target, sds_per_unit=3.0)
    scaled = torch.cat([standardiser.transform(reference), standardiser.transform(target)])
    np.testing.assert_allclose(scaled.mean(dim=0).numpy(), 0.0, atol=1e-5)
    np.testing.assert_allclose(scaled.std(dim=0, unbiased=False).numpy(), 1 / 3, rtol=1e-4)
    np.testing.assert_allclose(
        standardiser.inverse(standardiser.transform(target)), target, atol=1e-5
    )


def test_training_moves_generated_points_to_the_target_and_restores_threads() -> None:
    rng = np.random.default_rng(0)
    reference = rng.normal([0.0, 0.0], 0.7, (400, 2))
    target = rng.normal([3.0, 1.0], 0.7, (100, 2))
    threads = torch.get_num_threads()
    model, history = train_point_cyclegan(
        reference, target, PointCycleGANSettings.from_params(FAST, seed=0)
    )
    assert torch.get_num_threads() == threads
    assert [row["step"] for row in history] == [50, 100, 150]
    generated = model.reference_to_target(reference)
    assert np.isfinite(generated).all()
    # Started at the reference mean (distance ≈ 3.2); after 150 steps it sits near the target.
    assert np.linalg.norm(generated.mean(axis=0) - target.mean(axis=0)) < 1.0


def test_settings_reject_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown toy CycleGAN parameters"):
        PointCycleGANSettings.from_params({**FAST, "lr": 0.1}, seed=0)

"""Conditional training loop: learns the asked-for domain, resumes exactly, guards, samples."""

from __future__ import annotations

from collections import Counter

import pytest
import torch
from torch import Tensor

from emotion_gan.models.conditional.networks import ConditionalGANNetworks, build_conditional_gan
from emotion_gan.models.conditional.trainer import (
    ConditionalGANConfig,
    _BatchSampler,
    train_conditional_gan,
)
from emotion_gan.models.training.checkpoints import InMemoryCheckpointStore
from emotion_gan.models.training.runtime import NonFiniteLossError
from tests.models.training.loop_helpers import Interrupt, jitter, without_seconds

HISTORY_KEYS = {"step", "lr", "seconds", "reconstruction"} | {
    "loss_d_adv",
    "loss_d_domain",
    "loss_g_adv",
    "loss_g_domain",
}


def tiny(seed: int = 0) -> ConditionalGANNetworks:
    """8×8 images: G of width 4, D of two stride-2 layers (a 2×2 grid)."""
    return build_conditional_gan(
        num_domains=3, ngf=4, n_blocks=1, ndf=8, n_layers=2, image_size=8, seed=seed
    )


def dark_and_bright(n: int = 24, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Class 0: dark squares, class 1: bright ones, class 2: mid-grey (n each, noisy)."""
    rng = torch.Generator().manual_seed(seed)
    levels = torch.tensor([-0.7, 0.7, 0.0]).repeat_interleave(n)
    faces = levels[:, None, None, None] + 0.1 * torch.randn(3 * n, 1, 8, 8, generator=rng)
    return faces.clamp(-1, 1), torch.arange(3).repeat_interleave(n)


def state(networks: ConditionalGANNetworks) -> dict[str, Tensor]:
    return {
        f"{name}.{key}": value
        for name, module in networks.as_dict().items()
        for key, value in module.state_dict().items()
    }


def test_training_learns_to_produce_the_asked_for_domain() -> None:
    """After training, G(dark, bright) is bright and G(dark, dark) stays dark."""
    faces, labels = dark_and_bright()
    networks = tiny()
    config = ConditionalGANConfig(steps=300, batch_size=8, learning_rate=2e-3, device="cpu")
    history = train_conditional_gan(networks, faces, labels, config)

    assert len(history) == 300 and all(set(row) == HISTORY_KEYS for row in history)
    dark = faces[labels == 0]
    with torch.no_grad():
        to_bright = networks.generator(dark, torch.full((len(dark),), 1)).mean()
        to_dark = networks.generator(dark, torch.full((len(dark),), 0)).mean()
    assert float(to_bright) > 0.3, float(to_bright)
    assert float(to_dark) < -0.3, float(to_dark)
    assert not any(m.training for m in networks.as_dict().values())


def test_resumed_run_equals_uninterrupted_run() -> None:
    faces, labels = dark_and_bright(n=4)
    config = ConditionalGANConfig(steps=6, batch_size=2, checkpoint_every=2, seed=3, device="cpu")
    uninterrupted = tiny()
    full_history = train_conditional_gan(uninterrupted, faces, labels, config, augment=jitter())

    store = InMemoryCheckpointStore()
    with pytest.raises(Interrupt):  # dies during step 5 (one draw per step)
        train_conditional_gan(tiny(), faces, labels, config, augment=jitter(4), checkpoints=store)
    assert store.latest()[0] == 4
    seconds_at_4 = store.latest()[1]["seconds"]  # the checkpoint keeps the training time
    resumed = tiny()
    history = train_conditional_gan(
        resumed, faces, labels, config, augment=jitter(), checkpoints=store
    )

    assert without_seconds(history) == without_seconds(full_history)
    assert 0 < seconds_at_4 < history[-1]["seconds"]  # continued from the checkpoint's time
    expected, actual = state(uninterrupted), state(resumed)
    assert all(torch.equal(expected[k], actual[k]) for k in expected)


def test_resume_refuses_a_checkpoint_of_other_settings_with_the_switch_to_use() -> None:
    faces, labels = dark_and_bright(n=2)
    store = InMemoryCheckpointStore()
    config = ConditionalGANConfig(steps=2, checkpoint_every=1, device="cpu")
    train_conditional_gan(tiny(), faces, labels, config, checkpoints=store)
    other = ConditionalGANConfig(steps=2, checkpoint_every=1, domain_loss_weight=2.0, device="cpu")
    with pytest.raises(
        ValueError, match=r"domain_loss_weight differ.*conditional_gan.resume=false"
    ):
        train_conditional_gan(tiny(), faces, labels, other, checkpoints=store)


def test_a_diverging_run_stops_before_the_update_and_names_the_setting() -> None:
    faces, labels = dark_and_bright(n=2)
    faces = faces * 1e6  # out-of-range inputs make the reconstruction term explode
    config = ConditionalGANConfig(steps=3, device="cpu")
    with pytest.raises(
        NonFiniteLossError,
        match=r"step 1: .*conditional_gan.training.learning_rate.*train_conditional_gan",
    ):
        train_conditional_gan(tiny(), faces, labels, config)


def test_bad_labels_are_named() -> None:
    faces, labels = dark_and_bright(n=2)
    config = ConditionalGANConfig(steps=1, device="cpu")
    with pytest.raises(ValueError, match=r"labels outside 0…2 \(rows \[0\]\)"):
        train_conditional_gan(tiny(), faces, torch.cat([torch.tensor([5]), labels[1:]]), config)
    with pytest.raises(ValueError, match="one label per face"):
        train_conditional_gan(tiny(), faces, labels[:-1], config)
    with pytest.raises(ValueError, match="reconstruction_loss_weight=-1"):
        ConditionalGANConfig(steps=1, reconstruction_loss_weight=-1)


def test_balanced_sampling_draws_every_class_equally_and_targets_only_present_classes() -> None:
    labels = torch.tensor([0] * 90 + [2] * 10)  # class 1 absent, class 2 rare
    rng = torch.Generator().manual_seed(0)
    rows, targets = _BatchSampler(labels, balanced=True).draw(4000, rng)
    drawn = Counter(labels[rows].tolist())
    assert set(drawn) == {0, 2} and abs(drawn[2] / 4000 - 0.5) < 0.03
    assert set(targets.tolist()) == {0, 2} and abs((targets == 2).float().mean() - 0.5) < 0.03
    rows, _ = _BatchSampler(labels, balanced=False).draw(4000, rng)
    assert abs((labels[rows] == 2).float().mean() - 0.1) < 0.02  # the data's own prior

"""Conditional generator and discriminator: shapes, conditioning, persistence."""

from __future__ import annotations

import pytest
import torch

from emotion_gan.models.conditional.networks import (
    ConditionalDiscriminator,
    ConditionalGANNetworks,
    ConditionalGenerator,
    TargetedGenerator,
    build_conditional_gan,
)
from emotion_gan.models.persistence import build_module, describe_module


def faces(n: int, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, 1, 48, 48, generator=torch.Generator().manual_seed(seed)) * 2 - 1


@pytest.mark.parametrize("label_planes", [False, True])
def test_the_label_acts_through_conditional_norm_alone(label_planes: bool) -> None:
    """At init every emotion's norm is the identity (and StarGAN's one-hot input planes, kept
    by models saved with them, are removed by the first instance norm): G is the same function
    for every label. Once the per-emotion scales and shifts differ, so do the outputs."""
    generator = build_conditional_gan(ngf=8, n_blocks=1, ndf=8).generator
    if label_planes:
        generator = ConditionalGenerator(ngf=8, n_blocks=1, label_planes=True)
    generator.eval()
    x = faces(3)
    with torch.no_grad():
        to_disgust, to_happy = (generator(x, torch.full((3,), c)) for c in (1, 3))
        assert to_disgust.shape == (3, 1, 48, 48) and to_disgust.abs().max() <= 1.0
        torch.testing.assert_close(to_disgust, to_happy, atol=1e-5, rtol=0)
        rng = torch.Generator().manual_seed(0)
        for block in generator.blocks:
            for norm in (block.norm1, block.norm2):
                norm.scale.add_(0.5 * torch.randn(norm.scale.shape, generator=rng))
                norm.shift.add_(0.5 * torch.randn(norm.shift.shape, generator=rng))
        to_disgust, to_happy = (generator(x, torch.full((3,), c)) for c in (1, 3))
    assert (to_disgust - to_happy).abs().mean() > 1e-2


def test_discriminator_gives_a_grid_of_realness_scores_and_one_logit_per_emotion() -> None:
    realness, logits = ConditionalDiscriminator(ndf=8, n_layers=3)(faces(2))
    assert realness.shape == (2, 1, 6, 6)
    assert logits.shape == (2, 7)
    with pytest.raises(ValueError, match="divisible by 2\\*\\*n_layers"):
        ConditionalDiscriminator(n_layers=5)  # 48 / 32 is no whole grid


def test_a_targeted_generator_is_the_conditional_one_with_its_label_fixed() -> None:
    generator = build_conditional_gan(ngf=8, n_blocks=1).generator.eval()
    x = faces(4, seed=1)
    bound = TargetedGenerator(generator, target=1)
    torch.testing.assert_close(bound(x), generator(x, torch.full((4,), 1)))
    with pytest.raises(ValueError, match="outside"):
        TargetedGenerator(generator, target=7)
    with pytest.raises(ValueError, match="one target label per face"):
        generator(x, torch.tensor([1, 2]))


def test_networks_rebuild_from_their_description_and_the_bundle_names_what_is_missing() -> None:
    networks = build_conditional_gan(ngf=8, n_blocks=1, ndf=8, seed=3)
    for module in networks.as_dict().values():
        rebuilt = build_module(**describe_module(module))
        rebuilt.load_state_dict(module.state_dict())
        assert type(rebuilt) is type(module)
    assert isinstance(networks.generator, ConditionalGenerator)
    with pytest.raises(KeyError, match=r"lacks \['D'\]"):
        ConditionalGANNetworks.from_dict({"G": networks.generator})


def test_initial_weights_follow_the_seed() -> None:
    a, b = (
        build_conditional_gan(ngf=8, n_blocks=1, seed=0),
        build_conditional_gan(ngf=8, n_blocks=1, seed=0),
    )
    c = build_conditional_gan(ngf=8, n_blocks=1, seed=1)
    first = next(a.generator.parameters())
    assert torch.equal(first, next(b.generator.parameters()))
    assert not torch.equal(first, next(c.generator.parameters()))


def test_new_generators_take_the_face_alone_and_older_ones_with_planes_still_load() -> None:
    """The planes were 7 of the first convolution's 8 input channels and carried nothing; a
    model saved with them (its config predates ``label_planes``) rebuilds with them and loads
    its weights."""
    new = build_conditional_gan(ngf=8, n_blocks=1, ndf=8).generator
    assert new.encoder[1].in_channels == 1 and new.config["label_planes"] is False
    old = ConditionalGenerator(ngf=8, n_blocks=1, label_planes=True).eval()
    description = describe_module(old)
    legacy_config = {k: v for k, v in description["config"].items() if k != "label_planes"}
    rebuilt = build_module(description["architecture"], legacy_config)
    assert rebuilt.encoder[1].in_channels == 8
    rebuilt.load_state_dict(old.state_dict())
    x, labels = faces(2), torch.tensor([1, 4])
    torch.testing.assert_close(rebuilt.eval()(x, labels), old(x, labels))

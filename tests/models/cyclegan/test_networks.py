"""Generator/discriminator shapes at 48×48, persistence configs, init, the 4-network bundle."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from emotion_gan.models.cyclegan.networks import (
    CycleGANNetworks,
    PatchDiscriminator,
    ResnetBlock,
    ResnetGenerator,
    build_cyclegan,
    init_weights,
)
from emotion_gan.models.persistence import build_module, describe_module


@pytest.mark.parametrize("norm", ["instance", "batch"])
def test_generator_maps_48x48_to_48x48_in_tanh_range(norm: str) -> None:
    generator = ResnetGenerator(ngf=8, n_blocks=2, norm=norm)
    out = generator(torch.rand(2, 1, 48, 48) * 2 - 1)
    assert out.shape == (2, 1, 48, 48)
    assert out.abs().max() <= 1.0
    has_bn = any(isinstance(m, nn.BatchNorm2d) for m in generator.modules())
    assert has_bn == (norm == "batch")


def test_paper_size_generator_has_table4_widths() -> None:
    generator = ResnetGenerator()  # ngf 64, 6 blocks
    convs = [m for m in generator.modules() if isinstance(m, nn.Conv2d | nn.ConvTranspose2d)]
    assert [c.out_channels for c in convs[:3]] == [64, 128, 256]
    assert sum(isinstance(m, ResnetBlock) for m in generator.modules()) == 6
    assert [c.out_channels for c in convs[-3:]] == [128, 64, 1]


@pytest.mark.parametrize(("n_layers", "grid"), [(1, 22), (2, 10), (3, 4)])
def test_patch_discriminator_scores_a_grid_of_patches(n_layers: int, grid: int) -> None:
    scores = PatchDiscriminator(ndf=8, n_layers=n_layers)(torch.zeros(3, 1, 48, 48))
    assert scores.shape == (3, 1, grid, grid)


def test_modules_rebuild_from_their_config() -> None:
    for module in (ResnetGenerator(ngf=4, n_blocks=1), PatchDiscriminator(ndf=4, norm="batch")):
        rebuilt = build_module(**describe_module(module))
        rebuilt.load_state_dict(module.state_dict())
        assert rebuilt.config == module.config


def test_init_weights_is_seeded_normal_002() -> None:
    a, b = nn.Conv2d(16, 64, 7), nn.Conv2d(16, 64, 7)
    init_weights(a, seed=1)
    init_weights(b, seed=1)
    assert torch.equal(a.weight, b.weight)
    assert a.weight.std().item() == pytest.approx(0.02, rel=0.05)
    assert a.weight.mean().abs().item() < 0.002
    assert torch.count_nonzero(a.bias) == 0


def test_build_cyclegan_gives_distinct_initial_networks() -> None:
    networks = build_cyclegan(ngf=4, n_blocks=1, ndf=4, seed=0)
    g, f = networks.generator_g, networks.generator_f
    assert not torch.equal(next(g.parameters()), next(f.parameters()))


def test_bundle_round_trips_and_names_missing_networks() -> None:
    networks = build_cyclegan(ngf=4, n_blocks=1, ndf=4, seed=0)
    modules = networks.as_dict()
    assert list(modules) == ["G", "F", "D_R", "D_T"]
    assert CycleGANNetworks.from_dict(modules) == networks
    with pytest.raises(KeyError, match=r"lacks \['D_T'\]"):
        CycleGANNetworks.from_dict({k: v for k, v in modules.items() if k != "D_T"})

"""CycleGAN generator and discriminator for 48×48 grayscale faces (paper Appendix A, Tables 4–5).

Both follow the reference CycleGAN code (``networks.py`` of Zhu et al. 2017), which the paper's
tables summarise: the paper lists batch norm, the reference default is instance norm. Both are
supported (``norm="instance" | "batch"``); the project uses **instance norm** by default, like the
reference, because with batch size 1 batch norm in train mode *is* instance norm over one image
while its eval-mode running statistics differ from what the generator was trained with.

Every module has a ``config`` dict of its constructor arguments so it can be persisted and
rebuilt (:mod:`emotion_gan.models.persistence`). :class:`CycleGANNetworks` bundles the four
networks of one CycleGAN; it lives with the architecture (not the training loop) so building or
loading networks never imports the trainer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
from torch import Tensor, nn

Norm = Literal["instance", "batch"]


@dataclass
class CycleGANNetworks:
    """The four networks of one CycleGAN (paper §3.1), whatever their architecture."""

    generator_g: nn.Module  # G: reference R -> target T
    generator_f: nn.Module  # F: target T -> reference R
    discriminator_r: nn.Module  # D_R: real reference vs F(t)
    discriminator_t: nn.Module  # D_T: real target vs G(r)

    #: Keys of :meth:`as_dict` (the names the persisted bundle uses).
    KEYS: ClassVar[tuple[str, ...]] = ("G", "F", "D_R", "D_T")

    def as_dict(self) -> dict[str, nn.Module]:
        """``{"G", "F", "D_R", "D_T"}`` — the form saved by ``TorchModelDataset``."""
        modules = (self.generator_g, self.generator_f, self.discriminator_r, self.discriminator_t)
        return dict(zip(self.KEYS, modules, strict=True))

    @classmethod
    def from_dict(cls, modules: dict[str, nn.Module]) -> CycleGANNetworks:
        """Inverse of :meth:`as_dict`; names the missing keys of an incomplete bundle."""
        missing = [k for k in cls.KEYS if k not in modules]
        if missing:
            raise KeyError(
                f"CycleGAN bundle lacks {missing}; it must hold {list(cls.KEYS)} "
                "(re-run train_cyclegan_per_class to write a complete one)"
            )
        return cls(*(modules[k] for k in cls.KEYS))


def _norm_layer(norm: str, channels: int) -> nn.Module:
    if norm == "instance":
        # Reference: affine=False, no running statistics (train and eval behave the same).
        return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)
    if norm == "batch":
        return nn.BatchNorm2d(channels)
    raise ValueError(f"unknown norm {norm!r}; expected 'instance' (reference) or 'batch' (paper)")


class ResnetBlock(nn.Module):
    """pad-conv3-norm-ReLU-pad-conv3-norm plus the skip connection (reflection padding)."""

    def __init__(self, channels: int, norm: str) -> None:
        super().__init__()
        bias = norm == "instance"  # batch norm's own shift makes a conv bias redundant
        self.block = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3, bias=bias),
            _norm_layer(norm, channels),
            nn.ReLU(inplace=True),
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3, bias=bias),
            _norm_layer(norm, channels),
        )

    def forward(self, x: Tensor) -> Tensor:
        return x + self.block(x)


class ResnetGenerator(nn.Module):
    """Table 4: c7s1-ngf, d(2·ngf), d(4·ngf), ``n_blocks`` residual blocks, u(2·ngf), u(ngf), c7s1.

    Input and output ``(N, channels, H, W)`` with H, W multiples of 4 (48 is); the output is
    ``tanh``-bounded to [-1, 1] (Table 4 writes Conv-BN-ReLU for the last layer, which could not
    produce the negative half of the pixel range; the reference code uses tanh). The paper's
    size is ``ngf=64, n_blocks=6``; smaller values trade fidelity for speed (conf/base).
    """

    def __init__(
        self, channels: int = 1, ngf: int = 64, n_blocks: int = 6, norm: Norm = "instance"
    ) -> None:
        super().__init__()
        self.config = {"channels": channels, "ngf": ngf, "n_blocks": n_blocks, "norm": norm}
        self.model = nn.Sequential(
            *encoder_layers(channels, ngf, norm),
            *(ResnetBlock(ngf * 4, norm) for _ in range(n_blocks)),
            *decoder_layers(ngf, channels, norm),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)


def encoder_layers(in_channels: int, ngf: int, norm: str) -> list[nn.Module]:
    """Table 4's c7s1-ngf, d(2·ngf), d(4·ngf): ``in_channels`` at 48×48 → 4·ngf at 12×12.

    Shared with the conditional generator (:mod:`emotion_gan.models.conditional.networks`),
    whose older models also fed the target emotion in as extra input channels.
    """
    bias = norm == "instance"
    layers: list[nn.Module] = [
        nn.ReflectionPad2d(3),
        nn.Conv2d(in_channels, ngf, 7, bias=bias),
        _norm_layer(norm, ngf),
        nn.ReLU(inplace=True),
    ]
    for mult in (1, 2):  # two stride-2 downsamplings: 48 -> 24 -> 12
        layers += [
            nn.Conv2d(ngf * mult, ngf * mult * 2, 3, stride=2, padding=1, bias=bias),
            _norm_layer(norm, ngf * mult * 2),
            nn.ReLU(inplace=True),
        ]
    return layers


def decoder_layers(ngf: int, out_channels: int, norm: str) -> list[nn.Module]:
    """Table 4's u(2·ngf), u(ngf), c7s1 + tanh: 4·ngf at 12×12 → ``out_channels`` at 48×48."""
    bias = norm == "instance"
    layers: list[nn.Module] = []
    for mult in (4, 2):  # two fractionally strided convolutions: 12 -> 24 -> 48
        layers += [
            nn.ConvTranspose2d(
                ngf * mult, ngf * mult // 2, 3, stride=2, padding=1, output_padding=1, bias=bias
            ),
            _norm_layer(norm, ngf * mult // 2),
            nn.ReLU(inplace=True),
        ]
    return [*layers, nn.ReflectionPad2d(3), nn.Conv2d(ngf, out_channels, 7), nn.Tanh()]


class PatchDiscriminator(nn.Module):
    """Table 5 / reference PatchGAN: 4×4 convs, LeakyReLU 0.2, one realness score per patch.

    ``n_layers`` stride-2 convolutions (``ndf``, 2·ndf, … capped at 8·ndf, no norm on the first)
    then a stride-1 conv and a 1-channel stride-1 conv; no sigmoid (LSGAN). Receptive field of
    each score: 16 px for ``n_layers=1``, 34 for 2, 70 for 3 (the reference's "70×70 PatchGAN").

    Default ``n_layers=2``: at 48×48 the reference depth 3 (and Table 5's four stride-2 layers)
    gives every score a field larger than the whole face, i.e. an image discriminator over a 4×4
    grid of near-identical views. With 2 layers each of the 10×10 scores judges a 34×34 patch —
    the mouth with the nose, or both eyes with the brows, where expressions show — so D stays a
    patch discriminator and gives G local feedback, as the reference design intends.
    """

    def __init__(
        self, channels: int = 1, ndf: int = 64, n_layers: int = 2, norm: Norm = "instance"
    ) -> None:
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"PatchDiscriminator needs n_layers >= 1, got {n_layers}")
        self.config = {"channels": channels, "ndf": ndf, "n_layers": n_layers, "norm": norm}
        bias = norm == "instance"
        layers: list[nn.Module] = [
            nn.Conv2d(channels, ndf, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2, inplace=True),
        ]
        width = ndf
        for n in range(1, n_layers + 1):
            out = ndf * min(2**n, 8)
            stride = 2 if n < n_layers else 1
            layers += [
                nn.Conv2d(width, out, 4, stride=stride, padding=1, bias=bias),
                _norm_layer(norm, out),
                nn.LeakyReLU(0.2, inplace=True),
            ]
            width = out
        layers.append(nn.Conv2d(width, 1, 4, stride=1, padding=1))
        self.model = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)


def init_weights(module: nn.Module, std: float = 0.02, seed: int | None = None) -> nn.Module:
    """Reference "normal" init: conv/linear weights ~ N(0, std), biases 0; norm scales ~ N(1, std).

    ``seed`` makes the initial weights reproducible without touching the global RNG.
    """
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    for layer in module.modules():
        weight = getattr(layer, "weight", None)
        bias = getattr(layer, "bias", None)
        if isinstance(layer, nn.Conv2d | nn.ConvTranspose2d | nn.Linear | nn.Conv1d):
            nn.init.normal_(weight, 0.0, std, generator=generator)
        elif isinstance(layer, nn.modules.batchnorm._BatchNorm) and weight is not None:
            nn.init.normal_(weight, 1.0, std, generator=generator)
        else:
            continue
        if bias is not None:
            nn.init.zeros_(bias)
    return module


def build_cyclegan(
    *,
    ngf: int = 64,
    n_blocks: int = 6,
    ndf: int = 64,
    n_layers: int = 2,
    norm: Norm = "instance",
    channels: int = 1,
    init_std: float = 0.02,
    seed: int = 0,
) -> CycleGANNetworks:
    """G, F (ResnetGenerator) and D_R, D_T (PatchDiscriminator), initialised from ``seed``."""
    modules = [
        ResnetGenerator(channels, ngf, n_blocks, norm),
        ResnetGenerator(channels, ngf, n_blocks, norm),
        PatchDiscriminator(channels, ndf, n_layers, norm),
        PatchDiscriminator(channels, ndf, n_layers, norm),
    ]
    for offset, module in enumerate(modules):
        init_weights(module, init_std, seed=seed * 4 + offset)
    return CycleGANNetworks(*modules)

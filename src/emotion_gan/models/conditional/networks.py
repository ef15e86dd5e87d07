"""StarGAN's generator and discriminator (Choi et al. 2018) adapted to 48×48 grayscale faces.

What changed from the paper's 128×128 RGB networks, and why:

* **Generator**: StarGAN's layout (c7s1, two stride-2 downsamplings, residual blocks, two
  upsamplings, c7s1 + tanh) is the CycleGAN generator's (Table 4), so the same encoder and
  decoder layers are used (:func:`~emotion_gan.models.cyclegan.networks.encoder_layers`,
  ``decoder_layers``): reflection padding and 3×3 strided convolutions rather than StarGAN's
  zero-padded 4×4 ones, so the two families differ only in what the comparison is about.
  StarGAN feeds the target emotion as ``num_domains`` one-hot planes concatenated to the face.
  Here such planes would carry **nothing**: a constant plane adds a per-channel constant to the
  first convolution, which the instance norm right after it subtracts again — with reflection
  padding exactly (StarGAN's zero padding lets a little through at the borders). So the label
  enters through **conditional instance norm** in the residual blocks (Dumoulin et al. 2017):
  instance norm, then a scale and shift learnt per emotion, which no later normalisation can
  undo because a ReLU follows. Measured on the dark/bright case of
  ``tests/models/conditional/test_trainer.py`` before conditional norm was added: after 300
  steps G(dark, "bright") still had mean −0.005 (the label was ignored); with it, +0.63.
  New generators therefore take the face alone (``label_planes=False``): the planes were 7 of
  the first 7×7 convolution's 8 input channels, about a quarter of G's arithmetic, for
  nothing. Models saved with the planes (their config has no ``label_planes``) rebuild with
  them, so earlier versions still load and give the same faces.
* **Discriminator**: StarGAN's trunk of stride-2 4×4 convolutions with LeakyReLU and no
  normalisation, but 3 of them (48 → 6 px) instead of 6 (128 → 2 px); its realness head is a
  3×3 convolution giving a 6×6 grid of scores, each judging a 38×38 patch (the CycleGAN's
  PatchGAN judges 34×34), and its emotion head a 6×6 convolution over the whole grid giving
  one logit per emotion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor, nn

from emotion_gan.models.cyclegan.networks import (
    decoder_layers,
    encoder_layers,
    init_weights,
)


def _domain_maps(labels: Tensor, num_domains: int, like: Tensor) -> Tensor:
    """``(N,)`` labels → ``(N, num_domains, H, W)`` one-hot planes of ``like``'s size and dtype."""
    one_hot = nn.functional.one_hot(labels.long(), num_domains).to(like.dtype)
    return one_hot[:, :, None, None].expand(-1, -1, *like.shape[2:])


class ConditionalInstanceNorm(nn.Module):
    """Instance norm, then a scale and a shift chosen by each face's target emotion."""

    def __init__(self, channels: int, num_domains: int) -> None:
        super().__init__()
        self.norm = nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)
        self.scale = nn.Parameter(torch.ones(num_domains, channels))
        self.shift = nn.Parameter(torch.zeros(num_domains, channels))

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        scale, shift = self.scale[labels], self.shift[labels]
        return self.norm(x) * scale[:, :, None, None] + shift[:, :, None, None]


class ConditionalResnetBlock(nn.Module):
    """The CycleGAN's residual block with conditional instance norm in place of instance norm."""

    def __init__(self, channels: int, num_domains: int) -> None:
        super().__init__()
        self.conv1 = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3))
        self.norm1 = ConditionalInstanceNorm(channels, num_domains)
        self.conv2 = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3))
        self.norm2 = ConditionalInstanceNorm(channels, num_domains)

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        h = nn.functional.relu(self.norm1(self.conv1(x), labels))
        return x + self.norm2(self.conv2(h), labels)


class ConditionalGenerator(nn.Module):
    """G(x, c): translate faces ``x`` into emotions ``c`` (``(N,)`` labels 0…num_domains-1)."""

    def __init__(
        self,
        num_domains: int = 7,
        channels: int = 1,
        ngf: int = 64,
        n_blocks: int = 6,
        label_planes: bool = True,  # True: a model saved before the planes were dropped
    ) -> None:
        super().__init__()
        self.config = {
            "num_domains": num_domains,
            "channels": channels,
            "ngf": ngf,
            "n_blocks": n_blocks,
            "label_planes": label_planes,
        }
        self.num_domains, self.label_planes = num_domains, label_planes
        inputs = channels + (num_domains if label_planes else 0)
        self.encoder = nn.Sequential(*encoder_layers(inputs, ngf, "instance"))
        self.blocks = nn.ModuleList(
            ConditionalResnetBlock(ngf * 4, num_domains) for _ in range(n_blocks)
        )
        self.decoder = nn.Sequential(*decoder_layers(ngf, channels, "instance"))

    def forward(self, x: Tensor, target: Tensor) -> Tensor:
        if target.shape != (len(x),):
            raise ValueError(f"one target label per face expected, got {tuple(target.shape)}")
        target = target.long()
        if self.label_planes:
            x = torch.cat([x, _domain_maps(target, self.num_domains, x)], dim=1)
        h = self.encoder(x)
        for block in self.blocks:
            h = block(h, target)
        return self.decoder(h)


class ConditionalDiscriminator(nn.Module):
    """D(x) → (realness scores ``(N, 1, s, s)``, emotion logits ``(N, num_domains)``)."""

    def __init__(
        self,
        num_domains: int = 7,
        channels: int = 1,
        ndf: int = 64,
        n_layers: int = 3,
        image_size: int = 48,
    ) -> None:
        super().__init__()
        grid = image_size // 2**n_layers
        if n_layers < 1 or grid < 1 or grid * 2**n_layers != image_size:
            raise ValueError(
                f"ConditionalDiscriminator: image_size {image_size} must be divisible by "
                f"2**n_layers (n_layers={n_layers} >= 1)"
            )
        self.config = {
            "num_domains": num_domains,
            "channels": channels,
            "ndf": ndf,
            "n_layers": n_layers,
            "image_size": image_size,
        }
        layers: list[nn.Module] = []
        width = channels
        for n in range(n_layers):
            out = ndf * 2**n
            layers += [nn.Conv2d(width, out, 4, stride=2, padding=1), nn.LeakyReLU(0.01)]
            width = out
        self.trunk = nn.Sequential(*layers)
        self.realness = nn.Conv2d(width, 1, 3, padding=1, bias=False)
        self.emotion = nn.Conv2d(width, num_domains, grid, bias=False)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        features = self.trunk(x)
        return self.realness(features), self.emotion(features).flatten(1)


class TargetedGenerator(nn.Module):
    """The conditional G with its target emotion fixed: ``forward(x) = G(x, target)``.

    Why: ``generate_synthetic`` translates with "the G of a target class", a module of one
    argument, whatever the family; this makes one conditional model look like six such Gs.
    Not persisted itself (the conditional model is); rebuilt from it by the pipeline.
    """

    def __init__(self, generator: ConditionalGenerator, target: int) -> None:
        super().__init__()
        if not 0 <= target < generator.num_domains:
            raise ValueError(f"target {target} outside the generator's {generator.num_domains}")
        self.generator = generator
        self.target = target

    def forward(self, x: Tensor) -> Tensor:
        labels = torch.full((len(x),), self.target, dtype=torch.long, device=x.device)
        return self.generator(x, labels)


@dataclass
class ConditionalGANNetworks:
    """The two networks of the conditional family: one G for all emotions and its D."""

    generator: ConditionalGenerator
    discriminator: ConditionalDiscriminator

    #: Keys of :meth:`as_dict` (the names the persisted bundle uses).
    KEYS: ClassVar[tuple[str, ...]] = ("G", "D")

    def as_dict(self) -> dict[str, nn.Module]:
        """``{"G", "D"}`` — the form saved by ``TorchModelDataset``."""
        return {"G": self.generator, "D": self.discriminator}

    @classmethod
    def from_dict(cls, modules: dict[str, nn.Module]) -> ConditionalGANNetworks:
        """Inverse of :meth:`as_dict`; names the missing keys of an incomplete bundle."""
        missing = [k for k in cls.KEYS if k not in modules]
        if missing:
            raise KeyError(
                f"conditional GAN bundle lacks {missing}; it must hold {list(cls.KEYS)} "
                "(re-run train_conditional_gan to write a complete one)"
            )
        return cls(modules["G"], modules["D"])


def build_conditional_gan(
    *,
    num_domains: int = 7,
    ngf: int = 64,
    n_blocks: int = 6,
    ndf: int = 64,
    n_layers: int = 3,
    channels: int = 1,
    image_size: int = 48,
    init_std: float = 0.02,
    seed: int = 0,
) -> ConditionalGANNetworks:
    """G and D initialised from ``seed`` (the CycleGAN's N(0, 0.02) init, one seed each)."""
    generator = ConditionalGenerator(num_domains, channels, ngf, n_blocks, label_planes=False)
    discriminator = ConditionalDiscriminator(num_domains, channels, ndf, n_layers, image_size)
    init_weights(generator, init_std, seed=seed * 2)
    init_weights(discriminator, init_std, seed=seed * 2 + 1)
    return ConditionalGANNetworks(generator, discriminator)

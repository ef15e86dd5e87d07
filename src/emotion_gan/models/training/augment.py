"""Random shift + mirror of training images: one vectorised kernel, two seeded draw orders.

Why augment at all: a CycleGAN epoch is ``max(|R|, |T|)`` steps, so the faces of a tiny target
class (a few dozen disgust images) are shown hundreds of times, and the classifier's
``flip_crop`` variant is the paper-free cheap alternative to GAN augmentation. At 48×48 the
reference recipe's jitter (resize 286 → random crop 256, random horizontal flip) becomes a small
random shift — reflection pad, then crop back to size — and a random mirror. Reflection padding
keeps every output pixel a pixel of the same face (no black borders a discriminator could use).

Both families use :func:`shift_and_mirror`; each keeps its own *draw* function because a seeded
run's every later random number depends on how many draws came before, in which order and
shape — and a checkpointed run resumes mid-stream. Unifying the draws would change every seeded
result (and make old checkpoints resume onto a different stream), so they stay as they were.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812 - the usual PyTorch alias
from torch import Tensor


def shift_and_mirror(batch: Tensor, dy: Tensor, dx: Tensor, mirror: Tensor, pad: int) -> Tensor:
    """Crop each image of ``(B, ..., H, W)`` at ``(dy, dx)`` of its reflect-padded copy, then
    mirror it horizontally where ``mirror`` is true.

    ``dy``, ``dx``: ``(B,)`` integer offsets in ``0..2·pad``; ``mirror``: ``(B,)`` bool. One
    gather for the whole batch (no Python loop per image); values are copied, never computed.
    """
    height, width = batch.shape[-2:]
    padded = F.pad(batch, (pad,) * 4, mode="reflect") if pad else batch
    flat = padded.reshape(len(batch), -1, *padded.shape[-2:])
    device = batch.device
    rows = dy.to(device)[:, None] + torch.arange(height, device=device)
    cols = dx.to(device)[:, None] + torch.arange(width, device=device)
    cols = torch.where(mirror.to(device)[:, None], cols.flip(-1), cols)
    images = torch.arange(len(batch), device=device)[:, None, None, None]
    channels = torch.arange(flat.shape[1], device=device)[None, :, None, None]
    out = flat[images, channels, rows[:, None, :, None], cols[:, None, None, :]]
    return out.reshape(*batch.shape[:-2], height, width)


def draw_pad_crop_flip(
    count: int, pad: int, generator: torch.Generator
) -> tuple[Tensor, Tensor, Tensor]:
    """The CycleGAN's draws: ``(count, 2)`` offsets (dy, dx), then ``count`` mirror coins.

    Kept exactly (order, shapes, and drawing both even when ``pad`` is 0 or mirroring is off):
    checkpointed CycleGAN runs and ``translate_faces`` depend on this stream.
    """
    offsets = torch.randint(2 * pad + 1, (count, 2), generator=generator)
    mirror = torch.rand(count, generator=generator) < 0.5
    return offsets[:, 0], offsets[:, 1], mirror


def draw_flip_crop(
    count: int, pad: int, generator: torch.Generator
) -> tuple[Tensor, Tensor, Tensor]:
    """The classifier's draws: ``count`` flip coins, then (only if ``pad``) dy, then dx.

    Kept exactly so seeded classifier runs are unchanged. The classifier used to flip *before*
    cropping at column ``dx``; reflect padding commutes with a horizontal flip, so that equals
    cropping at ``2·pad − dx`` and then flipping: that column offset is returned for flipped
    images, so the kernel (crop, then mirror) reproduces the old output exactly.
    """
    flip = torch.rand(count, generator=generator) < 0.5
    if pad == 0:
        zero = torch.zeros(count, dtype=torch.long)
        return zero, zero, flip
    dy = torch.randint(0, 2 * pad + 1, (count,), generator=generator)
    dx = torch.randint(0, 2 * pad + 1, (count,), generator=generator)
    return dy, torch.where(flip, 2 * pad - dx, dx), flip


def random_pad_crop_flip(
    batch: Tensor, generator: torch.Generator, pad: int = 4, flip: bool = True
) -> Tensor:
    """CycleGAN augmentation (``train_cyclegan(augment=...)``): shift ``(B, C, H, W)`` images by
    up to ``pad`` px and mirror each with p = ½ (``flip=False``: never, the coins are still drawn).
    """
    if pad == 0 and not flip:
        return batch
    dy, dx, mirror = draw_pad_crop_flip(len(batch), pad, generator)
    return shift_and_mirror(batch, dy, dx, mirror & flip, pad)


def flip_crop(batch: Tensor, padding: int, generator: torch.Generator) -> Tensor:
    """Classifier augmentation: random horizontal flip and random crop of a reflect-padded copy
    (``padding`` px each side) of every image of ``(B, 1, H, W)``."""
    dy, dx, mirror = draw_flip_crop(len(batch), padding, generator)
    return shift_and_mirror(batch, dy, dx, mirror, padding)

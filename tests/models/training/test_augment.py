"""The shared shift+mirror kernel: each caller's output is bit-identical to its old code."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F  # noqa: N812 - the usual PyTorch alias
from torch import Tensor

from emotion_gan.models.training.augment import (
    flip_crop,
    random_pad_crop_flip,
    shift_and_mirror,
)


def old_random_pad_crop_flip(
    batch: Tensor, generator: torch.Generator, pad: int = 4, flip: bool = True
) -> Tensor:
    """The CycleGAN's augmentation before issue 9 (a Python loop per image), verbatim."""
    if pad == 0 and not flip:
        return batch
    height, width = batch.shape[-2:]
    padded = F.pad(batch, (pad, pad, pad, pad), mode="reflect") if pad else batch
    offsets = torch.randint(2 * pad + 1, (len(batch), 2), generator=generator).tolist()
    mirror = (torch.rand(len(batch), generator=generator) < 0.5).tolist()
    out = []
    for image, (dy, dx), do_flip in zip(padded, offsets, mirror, strict=True):
        crop = image[..., dy : dy + height, dx : dx + width]
        out.append(crop.flip(-1) if flip and do_flip else crop)
    return torch.stack(out)


def old_flip_crop(batch: Tensor, padding: int, generator: torch.Generator) -> Tensor:
    """The classifier's augmentation before issue 9 (flip, then crop), verbatim."""
    b, _, h, w = batch.shape
    flip = torch.rand(b, generator=generator) < 0.5
    batch = torch.where(flip.view(b, 1, 1, 1).to(batch.device), batch.flip(-1), batch)
    if padding == 0:
        return batch
    padded = F.pad(batch, (padding,) * 4, mode="reflect")
    dy = torch.randint(0, 2 * padding + 1, (b,), generator=generator).to(batch.device)
    dx = torch.randint(0, 2 * padding + 1, (b,), generator=generator).to(batch.device)
    rows = (dy[:, None] + torch.arange(h, device=batch.device))[:, :, None]
    cols = (dx[:, None] + torch.arange(w, device=batch.device))[:, None, :]
    image_index = torch.arange(b, device=batch.device)[:, None, None]
    return padded[:, 0][image_index, rows, cols].unsqueeze(1)


def faces(count: int, channels: int = 1) -> Tensor:
    return torch.rand(count, channels, 48, 48, generator=torch.Generator().manual_seed(count))


def assert_same_output_and_stream(new: Tensor, old: Tensor, gen_new, gen_old) -> None:
    assert new.dtype == old.dtype and new.shape == old.shape
    assert torch.equal(new, old)
    # the generators were advanced by exactly the same draws: later results stay seeded
    assert torch.equal(gen_new.get_state(), gen_old.get_state())


@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize("pad", [0, 4])
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("channels", [1, 3])
def test_cyclegan_augmentation_equals_the_old_loop(
    seed: int, pad: int, flip: bool, channels: int
) -> None:
    batch = faces(6, channels)
    gen_new, gen_old = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
    new = random_pad_crop_flip(batch, gen_new, pad=pad, flip=flip)
    old = old_random_pad_crop_flip(batch, gen_old, pad=pad, flip=flip)
    assert_same_output_and_stream(new, old, gen_new, gen_old)


@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize("pad", [0, 4])
def test_classifier_augmentation_equals_the_old_flip_then_crop(seed: int, pad: int) -> None:
    batch = faces(8) * 255
    gen_new, gen_old = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
    new = flip_crop(batch, pad, gen_new)
    old = old_flip_crop(batch, pad, gen_old)
    assert_same_output_and_stream(new, old, gen_new, gen_old)


def test_kernel_crops_then_mirrors() -> None:
    batch = torch.arange(2 * 5 * 5, dtype=torch.float32).reshape(2, 1, 5, 5)
    dy, dx = torch.tensor([0, 2]), torch.tensor([1, 0])
    out = shift_and_mirror(batch, dy, dx, torch.tensor([False, True]), pad=1)
    padded = F.pad(batch, (1, 1, 1, 1), mode="reflect")
    assert torch.equal(out[0], padded[0, :, 0:5, 1:6])
    assert torch.equal(out[1], padded[1, :, 2:7, 0:5].flip(-1))


def test_augmentation_keeps_pixels_and_moves_them() -> None:
    batch = torch.arange(4 * 48 * 48, dtype=torch.float32).view(4, 1, 48, 48)
    for augment in (
        lambda g: random_pad_crop_flip(batch, g, pad=4),
        lambda g: flip_crop(batch, 4, g),
    ):
        out = augment(torch.Generator().manual_seed(0))
        assert out.shape == batch.shape
        for original, augmented in zip(batch, out, strict=True):
            # every output pixel comes from the same image (reflect padding, no new values)
            assert set(augmented.unique().tolist()) <= set(original.unique().tolist())
        assert not torch.equal(out, batch)
        assert torch.equal(out, augment(torch.Generator().manual_seed(0)))
    # no padding: flips only, decided by the first draws
    unshifted = flip_crop(batch, 0, torch.Generator().manual_seed(0))
    flipped = torch.rand(4, generator=torch.Generator().manual_seed(0)) < 0.5
    for i in range(4):
        assert torch.equal(unshifted[i], batch[i].flip(-1) if flipped[i] else batch[i])

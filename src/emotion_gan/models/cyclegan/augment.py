"""Training-time augmentation of faces for CycleGAN (usable as ``train_cyclegan(augment=...)``).

Why: a CycleGAN epoch is ``max(|R|, |T|)`` steps, so the faces of a tiny target class (a few
dozen disgust images) are shown hundreds of times. The reference recipe jitters every image
(resize 286 → random crop 256, random horizontal flip); at 48×48 the equivalent is a small random
shift — reflection pad then random crop back to size — and a random mirror, so D cannot simply
memorise the few target faces and G is not pushed to reproduce them.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812 - the usual PyTorch alias
from torch import Tensor


def random_pad_crop_flip(
    batch: Tensor, generator: torch.Generator, pad: int = 4, flip: bool = True
) -> Tensor:
    """Shift each image of ``(B, C, H, W)`` by up to ``pad`` px and mirror it with p = ½.

    Reflection padding keeps every output pixel a pixel of the same face (no black borders that
    D could use to tell augmented real faces from generated ones). Draws come from ``generator``
    so a seeded run is reproducible.
    """
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

"""Between uint8 faces and the generator's [-1, 1] tensors, and batched translation with G.

Why here (not in a node): the same conversions are needed to train (faces → tensors), to
generate (tensors → faces) and from notebooks, and the uint8 mapping must be exactly the same
everywhere: ``[-1, 1] → [0, 255]`` with clipping (tanh outputs can round past ±1 in bf16) and
rounding (truncation would darken every generated face by half a grey level on average).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from emotion_gan.models.training.augment import random_pad_crop_flip


def faces_to_tensor(images: np.ndarray) -> Tensor:
    """``uint8 (N, H, W)`` → ``float32 (N, 1, H, W)`` in [-1, 1]."""
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(
            f"expected uint8 faces of shape (N, H, W), got {images.dtype} {images.shape}"
        )
    return torch.from_numpy(images.astype(np.float32)).unsqueeze(1) / 127.5 - 1.0


def tensor_to_faces(tensor: Tensor) -> np.ndarray:
    """``(N, 1, H, W)`` in [-1, 1] → ``uint8 (N, H, W)``: clip to the range, then round."""
    scaled = (tensor.detach().float().clamp(-1.0, 1.0) + 1.0) * 127.5
    return scaled.round().to(torch.uint8).squeeze(1).cpu().numpy()


def translate_faces(
    generator: nn.Module,
    sources: np.ndarray,
    count: int,
    seed: int,
    batch_size: int = 64,
    pad: int = 4,
) -> tuple[np.ndarray, np.ndarray]:
    """Translate ``count`` faces drawn from ``sources`` with ``generator`` (e.g. G: R → T).

    Sources are used in a seeded random order, each once before any is used again. G is
    deterministic, so a reused source would give an exact duplicate; reuses are therefore
    randomly shifted and mirrored first (:func:`random_pad_crop_flip`), as in training.

    Returns:
        ``(faces, source_indices)``: ``uint8 (count, H, W)`` and the index into ``sources`` of
        the face each one was translated from.
    """
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    if count and len(sources) == 0:
        raise ValueError("no source faces to translate: the reference class is empty")
    height, width = np.asarray(sources).shape[1:] if len(sources) else (0, 0)
    if count == 0:
        return np.empty((0, height, width), np.uint8), np.empty(0, np.int64)
    rng = torch.Generator().manual_seed(seed)
    rounds = -(-count // len(sources))
    order = torch.cat([torch.randperm(len(sources), generator=rng) for _ in range(rounds)])[:count]
    inputs = faces_to_tensor(sources)[order]
    reused = torch.arange(count) >= len(sources)
    if bool(reused.any()):
        inputs[reused] = random_pad_crop_flip(inputs[reused], rng, pad=pad)
    generator = generator.eval()
    outputs = []
    with torch.inference_mode():
        for start in range(0, count, batch_size):
            outputs.append(tensor_to_faces(generator(inputs[start : start + batch_size])))
    return np.concatenate(outputs), order.numpy().astype(np.int64)

"""Applying a trained :class:`EmotionCNN` to uint8 faces: logits, labels, penultimate features.

Inputs are raw uint8 images ``(N, 48, 48)`` (the model scales them itself); outputs are numpy.
Batches run under the same device / precision policy as training; the model is handed back on
the CPU in the train/eval mode it came in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

import numpy as np
import torch

from emotion_gan.models.classifier.network import EmotionCNN
from emotion_gan.models.classifier.training import precision_of
from emotion_gan.models.training.runtime import resolve_device

if TYPE_CHECKING:
    from typing_extensions import Unpack


class InferenceOptions(TypedDict, total=False):
    """Keyword options of :func:`predict_logits`, :func:`predict`, :func:`penultimate_features`."""

    batch_size: int  #: images per forward pass (default 256)
    device: str  #: "auto" (default), "cpu", "cuda", ...
    precision: str  #: "bf16" (default) or "fp32"


def predict_logits(
    model: EmotionCNN, images: np.ndarray, **options: Unpack[InferenceOptions]
) -> np.ndarray:
    """Logits (N, 7) for uint8 images (N, 48, 48)."""
    return _batched(model, "forward", images, **options)


def predict(
    model: EmotionCNN, images: np.ndarray, **options: Unpack[InferenceOptions]
) -> np.ndarray:
    """Predicted labels (N,) int64 for uint8 images (N, 48, 48)."""
    logits = predict_logits(model, images, **options)
    return logits.argmax(axis=1).astype(np.int64) if len(logits) else np.zeros(0, np.int64)


def penultimate_features(
    model: EmotionCNN, images: np.ndarray, **options: Unpack[InferenceOptions]
) -> np.ndarray:
    """Penultimate-layer features (N, fc_width) for uint8 images — input to the t-SNE report."""
    return _batched(model, "penultimate_features", images, **options)


@torch.no_grad()
def _batched(
    model: EmotionCNN,
    method: str,
    images: np.ndarray,
    *,
    batch_size: int = 256,
    device: str = "auto",
    precision: str = "bf16",
) -> np.ndarray:
    """Apply ``model.<method>`` to uint8 images in batches; return float32 numpy outputs."""
    dev = resolve_device(device)
    policy = precision_of(dev, precision)
    was_training = model.training
    model.to(device=dev, memory_format=torch.channels_last).eval()
    fn = getattr(model, method)
    outputs = []
    try:
        for start in range(0, len(images), batch_size):
            chunk = torch.as_tensor(images[start : start + batch_size], device=dev)
            batch = chunk.unsqueeze(1).float().contiguous(memory_format=torch.channels_last)
            with policy.autocast():
                outputs.append(fn(batch).float().cpu().numpy())
    finally:
        model.to(device="cpu", memory_format=torch.contiguous_format).train(was_training)
    if not outputs:
        return np.zeros((0, 0), dtype=np.float32)
    return np.concatenate(outputs)

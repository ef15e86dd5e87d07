"""The paper's emotion CNN (Appendix A, Table 3) and its training / inference loops.

Table 3: input 48×48×1 → [conv 3×3, 64 + ReLU → max-pool 3×3 stride 2 + local response norm]
→ [conv 3×3, 128 + ReLU → max-pool 3×3 stride 2 + norm] → two fully connected layers of 256
→ 7 logits (softmax in the loss). Training (Appendix A): Adam, learning rate 1e-3, β1 = 0.5,
batch 32, a fixed number of steps (paper: 20,000; DAG: 10,000 pre-train on generated images +
10,000 fine-tune on the original sample).

Speed on CPU (``bench/cnn_step.py`` measures it against a plain eager fp32 step):

* local response norm is computed as one banded matrix product over channels in channels-last
  layout — the same formula as :class:`torch.nn.LocalResponseNorm` (tests check equality), but
  PyTorch's version goes through a 3-D average pool that costs as much as both convolutions;
* ReLU is applied *after* max-pooling: ``max(relu(x)) == relu(max(x))`` because ReLU is
  monotone, so outputs and gradients are identical while ReLU touches 4× fewer values;
* bfloat16 autocast, channels-last memory format and the fused Adam kernel.

No Kedro here: everything is usable from a notebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from emotion_gan.imageset import IMAGE_SIZE, NUM_CLASSES

#: Local response norm constants of the TensorFlow CIFAR-10 CNN this architecture follows
#: (depth radius 4 → window 9, alpha 0.001/9 per channel, beta 0.75, bias 1). The paper gives
#: no values; PyTorch's ``alpha`` is the per-window total, hence 0.001 here.
LRN_SIZE = 9
LRN_ALPHA = 1e-3
LRN_BETA = 0.75
LRN_K = 1.0


class ChannelLRN(nn.Module):
    """Local response normalisation across channels, as a banded matrix product.

    Computes ``x / (k + alpha/size · Σ_{window} x²)^beta`` exactly like
    :class:`torch.nn.LocalResponseNorm` (same window: ``size//2`` channels before and
    ``(size-1)//2`` after, zero-padded). The window sum is ``x² @ band`` on the channels-last view,
    a small GEMM instead of PyTorch's 3-D average pool.
    """

    band: Tensor

    def __init__(
        self,
        channels: int,
        size: int = LRN_SIZE,
        alpha: float = LRN_ALPHA,
        beta: float = LRN_BETA,
        k: float = LRN_K,
    ) -> None:
        super().__init__()
        idx = torch.arange(channels)
        lower = idx[None, :] - size // 2
        upper = idx[None, :] + (size - 1) // 2
        # band[i, j] = alpha/size when input channel i lies in output channel j's window.
        band = ((idx[:, None] >= lower) & (idx[:, None] <= upper)).float() * (alpha / size)
        self.register_buffer("band", band, persistent=False)
        self.beta = beta
        self.k = k

    def forward(self, x: Tensor) -> Tensor:
        channels_last = x.permute(0, 2, 3, 1)
        scale = (channels_last.square() @ self.band.to(x.dtype) + self.k).pow(-self.beta)
        return (channels_last * scale).permute(0, 3, 1, 2)


class EmotionCNN(nn.Module):
    """Table 3's CNN. ``forward`` takes raw pixel values in [0, 255], shape (N, 1, 48, 48).

    Scaling to [-1, 1] happens inside the module so a saved model can be applied to image
    arrays directly, without knowing a separate preprocessing convention.

    Args:
        conv_channels: output channels of the two convolution blocks (paper: 64, 128).
        fc_width: width of both fully connected layers (paper: 256).
        num_classes: number of logits (paper: 7).
        image_size: input height = width (paper: 48).
    """

    def __init__(
        self,
        conv_channels: Sequence[int] = (64, 128),
        fc_width: int = 256,
        num_classes: int = NUM_CLASSES,
        image_size: int = IMAGE_SIZE,
    ) -> None:
        super().__init__()
        if len(conv_channels) != 2 or min(conv_channels) < 1 or fc_width < 1:
            raise ValueError(
                "EmotionCNN needs two positive conv widths and a positive fc_width (Table 3: "
                f"[64, 128] and 256); got conv_channels={list(conv_channels)}, fc_width={fc_width}"
            )
        c1, c2 = (int(c) for c in conv_channels)
        #: Constructor arguments, JSON-serialisable: lets TorchModelDataset rebuild the module.
        self.config: dict[str, Any] = {
            "conv_channels": [c1, c2],
            "fc_width": int(fc_width),
            "num_classes": int(num_classes),
            "image_size": int(image_size),
        }
        self.conv1 = nn.Conv2d(1, c1, kernel_size=3, padding=1)
        self.norm1 = ChannelLRN(c1)
        self.conv2 = nn.Conv2d(c1, c2, kernel_size=3, padding=1)
        self.norm2 = ChannelLRN(c2)
        pooled = _pooled_size(_pooled_size(image_size))
        self.fc1 = nn.Linear(c2 * pooled * pooled, fc_width)
        self.fc2 = nn.Linear(fc_width, fc_width)
        self.logits = nn.Linear(fc_width, num_classes)

    def penultimate_features(self, pixels: Tensor) -> Tensor:
        """The 256-d output of the second FC layer (after ReLU): the CNN's learned embedding."""
        x = pixels * (2.0 / 255.0) - 1.0
        x = self.norm1(F.relu(F.max_pool2d(self.conv1(x), 3, stride=2, padding=1)))
        x = self.norm2(F.relu(F.max_pool2d(self.conv2(x), 3, stride=2, padding=1)))
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return F.relu(self.fc2(x))

    def forward(self, pixels: Tensor) -> Tensor:
        return self.logits(self.penultimate_features(pixels))


def _pooled_size(size: int) -> int:
    """Spatial size after a 3×3 / stride-2 max-pool with padding 1 ("SAME"): ceil(size / 2)."""
    return (size + 2 - 3) // 2 + 1


def build_classifier(seed: int, **architecture: Any) -> EmotionCNN:
    """Create an :class:`EmotionCNN` whose initial weights depend only on ``seed``.

    The global torch RNG is forked, so calling this does not change random state elsewhere.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return EmotionCNN(**architecture)


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingSettings:
    """How to train one classifier (Appendix A defaults).

    Attributes:
        steps: optimiser steps (paper: 20,000).
        batch_size: images per step (paper: 32).
        learning_rate: Adam learning rate, constant (paper: 1e-3).
        adam_betas: Adam (β1, β2) (paper: β1 = 0.5).
        class_weighted: weight the cross-entropy by n / (K · count_c) ("balanced" weights).
        balanced_sampling: draw every class equally often (random oversampling of minorities).
        flip_crop: random horizontal flip + random 48×48 crop of a reflect-padded image.
        crop_padding: pixels of reflect padding for the random crop.
        device: "auto" (CUDA when present, else CPU), "cpu", "cuda", ...
        precision: "bf16" (autocast, weights stay fp32) or "fp32".
        log_every: steps per loss record; also how often the NaN guard checks the loss.
    """

    steps: int
    batch_size: int = 32
    learning_rate: float = 1e-3
    adam_betas: tuple[float, float] = (0.5, 0.999)
    class_weighted: bool = False
    balanced_sampling: bool = False
    flip_crop: bool = False
    crop_padding: int = 4
    device: str = "auto"
    precision: str = "bf16"
    log_every: int = 50

    def __post_init__(self) -> None:
        if self.steps < 0 or self.batch_size < 1 or self.log_every < 1:
            raise ValueError(
                f"TrainingSettings needs steps >= 0, batch_size >= 1, log_every >= 1; got "
                f"steps={self.steps}, batch_size={self.batch_size}, log_every={self.log_every}"
            )
        if self.precision not in ("bf16", "fp32"):
            raise ValueError(f"precision must be 'bf16' or 'fp32', got {self.precision!r}")
        object.__setattr__(self, "adam_betas", tuple(float(b) for b in self.adam_betas))


@dataclass
class TrainingHistory:
    """Mean training loss per ``log_every`` window (JSON-friendly via :meth:`as_dict`)."""

    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[Any]]:
        return {"step": list(self.steps), "loss": list(self.loss)}


class TrainingDivergedError(FloatingPointError):
    """The classifier loss became NaN or infinite."""


def resolve_device(device: str) -> torch.device:
    """Map "auto" to CUDA when available, else CPU; pass explicit names through."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def _autocast(device: torch.device, precision: str) -> torch.autocast:
    """bf16 autocast on CPU and on GPUs that support it; a disabled context otherwise."""
    enabled = precision == "bf16" and (
        device.type == "cpu" or (device.type == "cuda" and torch.cuda.is_bf16_supported())
    )
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=enabled)


def balanced_class_weights(labels: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """``n / (K · count_c)`` for each present class (scikit-learn's "balanced"); 0 if absent.

    Absent classes never appear in a batch, so their weight is irrelevant; 0 keeps it finite.
    """
    counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
    present = counts > 0
    weights = np.zeros(num_classes)
    weights[present] = len(labels) / (present.sum() * counts[present])
    return weights


class _BatchSampler:
    """Yields index batches: shuffled epochs, or class-balanced draws with replacement."""

    def __init__(
        self, labels: np.ndarray, batch_size: int, balanced: bool, generator: torch.Generator
    ) -> None:
        self.n = len(labels)
        self.batch_size = batch_size
        self.generator = generator
        self.balanced = balanced
        if balanced:
            counts = np.bincount(labels, minlength=NUM_CLASSES)
            self.weights = torch.as_tensor(1.0 / counts[labels], dtype=torch.float64)
        self._order = torch.empty(0, dtype=torch.long)
        self._pos = 0

    def next(self) -> Tensor:
        if self.balanced:
            return torch.multinomial(
                self.weights, self.batch_size, replacement=True, generator=self.generator
            )
        parts = []
        needed = self.batch_size
        while needed:
            if self._pos >= len(self._order):
                self._order = torch.randperm(self.n, generator=self.generator)
                self._pos = 0
            take = self._order[self._pos : self._pos + needed]
            self._pos += len(take)
            needed -= len(take)
            parts.append(take)
        return torch.cat(parts)


def flip_crop(batch: Tensor, padding: int, generator: torch.Generator) -> Tensor:
    """Random horizontal flip and random crop (of a reflect-padded copy), per image.

    ``batch``: float (B, 1, H, W). Vectorised with gather indices: no Python loop per image.
    """
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


def train_classifier(
    model: EmotionCNN,
    images: np.ndarray,
    labels: np.ndarray,
    settings: TrainingSettings,
    *,
    seed: int,
    run_name: str = "classifier",
) -> TrainingHistory:
    """Train ``model`` in place for ``settings.steps`` Adam steps; return the loss history.

    Deterministic on CPU for a given seed (own torch generator for batches and augmentation;
    weight init is the caller's, see :func:`build_classifier`). The model is returned to the
    CPU in eval mode, ready to save. Raises :class:`TrainingDivergedError` naming ``run_name``
    and the step window if the loss stops being finite.
    """
    images = np.asarray(images)
    labels = np.asarray(labels, dtype=np.int64)
    if images.ndim != 3 or images.shape[1:] != (model.config["image_size"],) * 2:
        raise ValueError(
            f"{run_name}: training images must be (N, {model.config['image_size']}, "
            f"{model.config['image_size']}); got {images.shape}"
        )
    if len(images) != len(labels) or len(images) == 0:
        raise ValueError(
            f"{run_name}: need a non-empty training set with one label per image; got "
            f"{len(images)} images and {len(labels)} labels"
        )
    num_classes = model.config["num_classes"]
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"{run_name}: labels must lie in 0..{num_classes - 1}")
    history = TrainingHistory()
    if settings.steps == 0:
        model.cpu().eval()
        return history

    device = resolve_device(settings.device)
    generator = torch.Generator().manual_seed(seed)
    model.to(device=device, memory_format=torch.channels_last).train()
    data = torch.as_tensor(images, dtype=torch.uint8, device=device).unsqueeze(1)
    targets = torch.as_tensor(labels, device=device)
    class_weight = (
        torch.as_tensor(balanced_class_weights(labels), dtype=torch.float32, device=device)
        if settings.class_weighted
        else None
    )
    optimiser = torch.optim.Adam(
        model.parameters(), lr=settings.learning_rate, betas=settings.adam_betas, fused=True
    )
    sampler = _BatchSampler(labels, settings.batch_size, settings.balanced_sampling, generator)
    window_loss = torch.zeros((), device=device)
    window_start = 1
    for step in range(1, settings.steps + 1):
        idx = sampler.next().to(device)
        batch = data[idx].float()
        if settings.flip_crop:
            batch = flip_crop(batch, settings.crop_padding, generator)
        batch = batch.contiguous(memory_format=torch.channels_last)
        with _autocast(device, settings.precision):
            logits = model(batch)
        loss = F.cross_entropy(logits.float(), targets[idx], weight=class_weight)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        window_loss += loss.detach()
        if step % settings.log_every == 0 or step == settings.steps:
            mean_loss = float(window_loss) / (step - window_start + 1)
            if not np.isfinite(mean_loss):
                raise TrainingDivergedError(
                    f"{run_name}: loss became {mean_loss} between steps {window_start} and "
                    f"{step} (seed {seed}, learning rate {settings.learning_rate}). Lower the "
                    "learning rate, use precision 'fp32', or check the training images."
                )
            history.steps.append(step)
            history.loss.append(mean_loss)
            window_loss.zero_()
            window_start = step + 1
    model.to(device="cpu", memory_format=torch.contiguous_format).eval()
    return history


def train_dag(
    model: EmotionCNN,
    generated: tuple[np.ndarray, np.ndarray],
    original: tuple[np.ndarray, np.ndarray],
    settings: TrainingSettings,
    *,
    pretrain_steps: int,
    seed: int,
    run_name: str = "dag",
) -> dict[str, TrainingHistory]:
    """The paper's DAG schedule: pre-train on generated images, then fine-tune on the original.

    ``settings.steps`` is the *total* budget, so DAG is compared with the other variants at the
    same number of optimiser steps (paper: 10,000 + 10,000 = 20,000). Fine-tuning starts a
    fresh Adam state: it is a new training phase on a different data distribution.

    Args:
        generated: ``(images, labels)`` for pre-training.
        original: ``(images, labels)`` for fine-tuning (the imbalanced training sample).
        pretrain_steps: steps of the first phase; the rest of ``settings.steps`` fine-tunes.
    """
    if not 0 <= pretrain_steps <= settings.steps:
        raise ValueError(
            f"{run_name}: pretrain_steps must lie in 0..{settings.steps} (the total step "
            f"budget); got {pretrain_steps}"
        )
    pretrain_seed, finetune_seed = (
        int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(2)
    )
    return {
        "pretrain": train_classifier(
            model,
            *generated,
            replace(settings, steps=pretrain_steps),
            seed=pretrain_seed,
            run_name=f"{run_name} (pre-train)",
        ),
        "finetune": train_classifier(
            model,
            *original,
            replace(settings, steps=settings.steps - pretrain_steps),
            seed=finetune_seed,
            run_name=f"{run_name} (fine-tune)",
        ),
    }


# --------------------------------------------------------------------------------------------
# Inference
# --------------------------------------------------------------------------------------------


@torch.no_grad()
def _batched(
    fn_name: str,
    model: EmotionCNN,
    images: np.ndarray,
    *,
    batch_size: int,
    device: str,
    precision: str,
) -> np.ndarray:
    """Apply ``model.<fn_name>`` to uint8 images in batches; return float32 numpy outputs."""
    dev = resolve_device(device)
    was_training = model.training
    model.to(device=dev, memory_format=torch.channels_last).eval()
    fn = getattr(model, fn_name)
    outputs = []
    try:
        for start in range(0, len(images), batch_size):
            chunk = torch.as_tensor(images[start : start + batch_size], device=dev)
            batch = chunk.unsqueeze(1).float().contiguous(memory_format=torch.channels_last)
            with _autocast(dev, precision):
                outputs.append(fn(batch).float().cpu().numpy())
    finally:
        model.to(device="cpu", memory_format=torch.contiguous_format).train(was_training)
    if not outputs:
        return np.zeros((0, 0), dtype=np.float32)
    return np.concatenate(outputs)


def predict_logits(
    model: EmotionCNN,
    images: np.ndarray,
    *,
    batch_size: int = 256,
    device: str = "auto",
    precision: str = "bf16",
) -> np.ndarray:
    """Logits (N, 7) for uint8 images (N, 48, 48)."""
    return _batched(
        "forward", model, images, batch_size=batch_size, device=device, precision=precision
    )


def predict(
    model: EmotionCNN,
    images: np.ndarray,
    *,
    batch_size: int = 256,
    device: str = "auto",
    precision: str = "bf16",
) -> np.ndarray:
    """Predicted labels (N,) int64 for uint8 images (N, 48, 48)."""
    logits = predict_logits(
        model, images, batch_size=batch_size, device=device, precision=precision
    )
    return logits.argmax(axis=1).astype(np.int64) if len(logits) else np.zeros(0, np.int64)


def penultimate_features(
    model: EmotionCNN,
    images: np.ndarray,
    *,
    batch_size: int = 256,
    device: str = "auto",
    precision: str = "bf16",
) -> np.ndarray:
    """Penultimate-layer features (N, fc_width) for uint8 images — input to the t-SNE report."""
    return _batched(
        "penultimate_features",
        model,
        images,
        batch_size=batch_size,
        device=device,
        precision=precision,
    )

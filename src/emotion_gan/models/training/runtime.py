"""Where and in which precision a training or inference loop runs — one policy for both families.

Why one module: the CycleGAN trainer and the classifier used to decide device, autocast and the
optimiser each in their own way; one policy means "cuda" fails the same clear way everywhere
and a GPU run uses the same mixed precision whatever the model.

Precision policy (:func:`mixed_precision`):

* CUDA: bfloat16 autocast where the GPU supports it; otherwise float16 autocast with a
  ``GradScaler`` (fp16's narrow exponent underflows small gradients without loss scaling).
  Callers may switch reduced precision off on CUDA (the classifier's ``precision: fp32``).
* CPU: bfloat16 autocast only if the caller asks (the CycleGAN's ``autocast_bf16_on_cpu``, the
  classifier's ``precision: bf16``) **and the CPU computes bf16 natively** (AVX-512-BF16 or
  AMX, :func:`cpu_has_native_bf16`); never fp16, so never a scaler. Without native bf16, oneDNN
  emulates it: measured on a 2-core AVX2 EPYC, a 32→32 3×3 convolution step is 15× slower and a
  CycleGAN step 30× slower than in fp32 — so such a CPU runs fp32 and says so once.
* any other device: full fp32.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import torch
from torch import nn

logger = logging.getLogger(__name__)


@functools.cache
def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bfloat16 in hardware (oneDNN's own check: AVX-512-BF16/AMX)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a build without oneDNN: no fast bf16 either
        return False


@functools.cache
def _warn_emulated_bf16() -> None:
    logger.warning(
        "bf16 was requested on a CPU without native bf16 (%s): oneDNN would emulate it, ~15-30x "
        "slower than fp32, so training and inference run in fp32 here",
        torch.backends.cpu.get_cpu_capability(),
    )


class NonFiniteLossError(FloatingPointError):
    """A training loss became NaN/inf. The message names the run, the step and what to try."""


def resolve_device(name: str) -> torch.device:
    """``"auto"`` → CUDA when available, else CPU; explicit names pass through.

    Raises:
        ValueError: a CUDA device was named on a machine without CUDA (instead of a late,
            obscure failure at the first tensor moved there).
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device {name!r} requested but CUDA is not available; use 'auto' or 'cpu'"
        )
    return device


@dataclass(frozen=True)
class MixedPrecision:
    """The autocast dtype of a run on ``device`` (``None``: plain fp32) and its loss scaling."""

    device: torch.device
    dtype: torch.dtype | None

    def autocast(self) -> torch.autocast:
        """The context to run forward passes in (a disabled one for fp32)."""
        return torch.autocast(
            self.device.type, dtype=self.dtype or torch.bfloat16, enabled=self.dtype is not None
        )

    def grad_scaler(self) -> torch.amp.GradScaler:
        """Loss scaling, enabled only for fp16; disabled it passes losses and steps through."""
        return torch.amp.GradScaler(self.device.type, enabled=self.dtype == torch.float16)


def mixed_precision(
    device: torch.device, *, bf16_on_cpu: bool, reduced_on_cuda: bool = True
) -> MixedPrecision:
    """The module-level policy: bf16 (CUDA if supported, CPU if asked), else fp16 on CUDA."""
    dtype: torch.dtype | None = None
    if device.type == "cuda" and reduced_on_cuda:
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    elif device.type == "cpu" and bf16_on_cpu:
        if cpu_has_native_bf16():
            dtype = torch.bfloat16
        else:
            _warn_emulated_bf16()
    return MixedPrecision(device, dtype)


def fused_adam(
    params: Iterable[nn.Parameter],
    *,
    lr: float,
    betas: tuple[float, float],
    device: torch.device,
    weight_decay: float = 0.0,
) -> torch.optim.Optimizer:
    """Adam with the fused kernel (one update for all tensors) where it exists: CPU and CUDA.

    ``weight_decay > 0`` gives AdamW (decoupled decay, the usual choice with a cosine schedule);
    0 keeps plain Adam, the paper's optimiser.
    """
    fused = device.type in ("cpu", "cuda")
    if weight_decay > 0:
        return torch.optim.AdamW(params, lr=lr, betas=betas, weight_decay=weight_decay, fused=fused)
    return torch.optim.Adam(params, lr=lr, betas=betas, fused=fused)

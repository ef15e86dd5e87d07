"""Helpers for the tests of both adversarial trainers (CycleGAN and conditional GAN)."""

from __future__ import annotations

import torch
from torch import Tensor


class Interrupt(Exception):
    """Raised by :func:`jitter` to simulate a run killed mid-way."""


def jitter(stop_after_calls: int | None = None):
    """An augmentation that uses the run's generator; optionally 'crashes' after N calls."""
    calls = 0

    def augment(batch: Tensor, generator: torch.Generator) -> Tensor:
        nonlocal calls
        calls += 1
        if stop_after_calls is not None and calls > stop_after_calls:
            raise Interrupt
        return batch + 0.05 * torch.randn(batch.shape, generator=generator)

    return augment


def without_seconds(history: list[dict[str, float]]) -> list[dict[str, float]]:
    """The losses of a history without its wall times (which no two runs share)."""
    return [{k: v for k, v in row.items() if k != "seconds"} for row in history]

"""The reference CycleGAN's ``ImagePool``: discriminators see a mix of current and past fakes."""

from __future__ import annotations

import torch
from torch import Tensor


class HistoryPool:
    """Up to ``size`` past fakes; each query hands back current fakes or stored ones.

    Until full, each fake is stored and returned; afterwards, with probability ½ a random stored
    fake is returned and replaced by the new one. Why: D then keeps penalising modes G already
    left, which damps oscillation. Draws from the run's generator so runs are reproducible.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: list[Tensor] = []

    def query(self, fakes: Tensor, generator: torch.Generator) -> Tensor:
        """Return a batch of the same shape as ``fakes`` drawn as described above."""
        if self.size == 0:
            return fakes.detach()
        out = []
        for fake in fakes.detach():
            if len(self.items) < self.size:
                self.items.append(fake.clone())
                out.append(fake)
            elif float(torch.rand((), generator=generator)) < 0.5:
                index = int(torch.randint(self.size, (), generator=generator))
                out.append(self.items[index])
                self.items[index] = fake.clone()
            else:
                out.append(fake)
        return torch.stack(out)

    def state(self) -> Tensor:
        """Pool contents as one CPU tensor (checkpointable); empty pool -> shape (0,)."""
        return torch.stack(self.items).cpu() if self.items else torch.empty(0)

    def load(self, state: Tensor, device: torch.device) -> None:
        """Restore contents saved by :meth:`state`."""
        self.items = [item.to(device) for item in state] if state.numel() else []

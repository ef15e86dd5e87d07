"""The discriminators' pool of past fakes."""

from __future__ import annotations

import torch

from emotion_gan.models.cyclegan.history_pool import HistoryPool


def test_history_pool_returns_past_fakes_once_full() -> None:
    pool, generator = HistoryPool(2), torch.Generator().manual_seed(0)
    first = pool.query(torch.tensor([[1.0], [2.0]]), generator)
    assert first.flatten().tolist() == [1.0, 2.0]
    seen = {float(pool.query(torch.tensor([[9.0]]), generator)) for _ in range(20)}
    assert seen - {9.0}, "a full pool must sometimes hand back a stored fake"
    assert HistoryPool(0).query(torch.tensor([[5.0]]), generator).item() == 5.0


def test_history_pool_state_round_trips() -> None:
    pool, generator = HistoryPool(3), torch.Generator().manual_seed(0)
    pool.query(torch.randn(2, 1, 4, 4), generator)
    restored = HistoryPool(3)
    restored.load(pool.state(), torch.device("cpu"))
    assert all(torch.equal(a, b) for a, b in zip(pool.items, restored.items, strict=True))
    empty = HistoryPool(3)
    empty.load(HistoryPool(3).state(), torch.device("cpu"))
    assert empty.items == []

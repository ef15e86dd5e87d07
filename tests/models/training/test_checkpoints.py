"""The in-memory checkpoint store keeps the newest checkpoints as independent copies."""

from __future__ import annotations

import torch

from emotion_gan.models.training.checkpoints import InMemoryCheckpointStore


def test_keeps_the_newest_and_copies_tensors() -> None:
    store = InMemoryCheckpointStore(keep=2)
    assert store.latest() is None
    weights = torch.zeros(3)
    for step in (1, 2, 3):
        store.save(step, {"w": weights, "nested": {"h": [weights]}, "step": step})
        weights += 1  # in-place training updates must not alter a stored checkpoint
    step, state = store.latest()
    assert step == 3 and state["step"] == 3
    assert torch.equal(state["w"], torch.full((3,), 2.0))
    assert torch.equal(state["nested"]["h"][0], torch.full((3,), 2.0))
    assert sorted(store._states) == [2, 3]
    store.clear()
    assert store.latest() is None

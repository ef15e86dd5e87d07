"""A trivially learnable face task for the classifier tests."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def learnable() -> tuple[np.ndarray, np.ndarray]:
    """140 images; class k = a bright band at row block k, so a few steps show learning."""
    rng = np.random.default_rng(0)
    labels = np.arange(140) % 7
    images = rng.integers(0, 60, (140, 48, 48)).astype(np.uint8)
    for i, k in enumerate(labels):
        images[i, 6 * k : 6 * k + 6] = 230
    return images, labels

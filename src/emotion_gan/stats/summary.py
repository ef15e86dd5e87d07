"""Mean ± sd over seeds: the one summary every seed-averaged number in the project uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def _mean_and_sd(values: Sequence[float]) -> tuple[np.ndarray, float, float]:
    """The values as float64, their mean and sample sd (ddof = 1; 0 for a single value)."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        raise ValueError("mean ± sd needs at least one value")
    sd = float(arr.std(ddof=1)) if arr.size > 1 else 0.0
    return arr, float(arr.mean()), sd


def mean_sd(values: Sequence[float]) -> dict[str, float]:
    """``{"mean", "sd", "n"}`` over seeds (sample sd, ddof = 1; 0 for a single value)."""
    arr, mean, sd = _mean_and_sd(values)
    return {"mean": mean, "sd": sd, "n": int(arr.size)}


def mean_sd_per_seed(values: Sequence[float]) -> dict[str, Any]:
    """``{"mean", "sd", "per_seed"}``: :func:`mean_sd` that keeps every seed's value."""
    arr, mean, sd = _mean_and_sd(values)
    return {"mean": mean, "sd": sd, "per_seed": [float(v) for v in arr]}

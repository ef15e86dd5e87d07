"""Largest-remainder (Hamilton) rounding: integer counts in given proportions, exact total."""

from __future__ import annotations

import numpy as np


def largest_remainder(
    quotas: np.ndarray, total: int | None = None, *, stable_ties: bool = True
) -> np.ndarray:
    """Round non-negative ``quotas`` down, then give one more to the largest remainders.

    The counts sum to ``total`` (default: ``round(quotas.sum())``, the exact sum of the quotas).
    Equal remainders go to the earlier index (a stable sort). ``stable_ties=False`` breaks
    such ties with numpy's default sort instead, whose order among equal keys depends on the
    numpy build and CPU: it is kept only so that ``sample_imbalanced`` draws the same test
    subsets from the same seed as before this function was shared.
    """
    quotas = np.asarray(quotas, dtype=np.float64)
    counts = np.floor(quotas).astype(int)
    target = round(quotas.sum()) if total is None else int(total)
    short = target - counts.sum()
    order = np.argsort(counts - quotas, kind="stable" if stable_ties else None)
    counts[order[:short]] += 1
    return counts

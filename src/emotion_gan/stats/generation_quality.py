"""Beyond the paper: does G copy the few real target faces, and are its faces diverse?

A CycleGAN trained on a tiny target class can reach a low adversarial loss by reproducing the
training faces it was shown; those "new" images would add nothing a classifier has not seen.
Distances are root-mean-square pixel differences on a [0, 1] scale, always read *against the
same quantity among real faces* — a raw distance has no meaning on its own:

* memorisation: each generated face's distance to its nearest real training face of the target
  class, versus each real face's distance to its nearest *other* real face. ``near_copy_fraction``
  is the share of generated faces closer to a real face than 95 % of real faces are to theirs.
* diversity: mean pairwise distance among generated faces versus among real ones (mode collapse
  shows as a much smaller value).
* source change: mean distance of each generated face to the reference face it was translated
  from (near 0 = G is close to the identity and the "target" faces are relabelled sources).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


def _flat(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.asarray(images, dtype=np.float32).reshape(len(images), -1) / 255.0)


def _rms_distances(a: np.ndarray, b: np.ndarray) -> torch.Tensor:
    """Pairwise RMS pixel distances between the faces of ``a`` and ``b`` (rows × columns)."""
    fa, fb = _flat(a), _flat(b)
    return torch.cdist(fa, fb) / np.sqrt(fa.shape[1])


def _subsample(images: np.ndarray, limit: int, rng: np.random.Generator) -> np.ndarray:
    if len(images) <= limit:
        return images
    return images[np.sort(rng.choice(len(images), limit, replace=False))]


def _distance_summary(values: torch.Tensor) -> dict[str, float]:
    values = values.double()
    return {
        "mean": float(values.mean()),
        "median": float(values.median()),
        "min": float(values.min()),
    }


def _mean_pairwise(images: np.ndarray) -> float | None:
    if len(images) < 2:
        return None
    distances = _rms_distances(images, images)
    off_diagonal = ~torch.eye(len(images), dtype=torch.bool)
    return float(distances[off_diagonal].double().mean())


def _memorisation(gen: np.ndarray, real: np.ndarray) -> dict[str, Any]:
    """Nearest-real distances of generated faces against those of real faces among themselves."""
    generated_nn = _rms_distances(gen, real).min(dim=1).values
    real_nn = None
    threshold = near_copies = None
    if len(real) >= 2:  # a single real face has no "other real face" to compare with
        real_real = _rms_distances(real, real)
        real_real.fill_diagonal_(float("inf"))
        real_nn = real_real.min(dim=1).values
        threshold = float(torch.quantile(real_nn.double(), 0.05))
        near_copies = float((generated_nn < threshold).double().mean())
    return {
        "generated_to_nearest_real": _distance_summary(generated_nn),
        "real_to_nearest_other_real": _distance_summary(real_nn) if real_nn is not None else None,
        "near_copy_threshold": threshold,
        "near_copy_fraction": near_copies,
    }


def _source_change(
    generated: np.ndarray, sources: np.ndarray, used: np.ndarray
) -> dict[str, Any] | None:
    """RMS change of the faces ``used`` from their sources (None when no face qualifies)."""
    if not len(used):
        return None
    change = (_flat(generated[used]) - _flat(sources[used])).pow(2).mean(dim=1).sqrt()
    return {**_distance_summary(change), "compared": int(len(used))}


def generation_quality(
    generated: np.ndarray,
    real_target: np.ndarray,
    sources: np.ndarray | None = None,
    max_images: int = 1000,
    seed: int = 0,
    source_is_input: np.ndarray | None = None,
) -> dict[str, Any]:
    """Memorisation, diversity and source-change statistics of one generated class.

    Args:
        generated: ``uint8 (N, H, W)`` generated faces of the target class.
        real_target: ``uint8 (M, H, W)`` real training faces of the target class (M >= 1; the
            real-vs-real baselines need M >= 2 and are ``None`` otherwise).
        sources: the reference face each generated face came from (same order), if known.
        max_images: larger sets are randomly subsampled to this size (pairwise cost is N·M).
        seed: seed of that subsampling.
        source_is_input: per generated face, whether its source is exactly what G was fed
            (default: all). A reused source is shifted and mirrored before G sees it, so its
            pixel difference to the unshifted face would overstate what G changed; only exact
            inputs enter ``source_change``.
    """
    if len(real_target) == 0:
        raise ValueError("no real target faces to compare the generated ones against")
    if len(generated) == 0:
        return {"generated_count": 0, "real_count": int(len(real_target))}
    rng = np.random.default_rng(seed)
    keep = np.sort(rng.choice(len(generated), min(len(generated), max_images), replace=False))
    gen = generated[keep]
    real = _subsample(real_target, max_images, rng)
    report: dict[str, Any] = {
        "generated_count": int(len(generated)),
        "real_count": int(len(real_target)),
        "compared": {"generated": int(len(gen)), "real": int(len(real))},
        "memorisation": _memorisation(gen, real),
        "diversity": {
            "generated_mean_pairwise": _mean_pairwise(_subsample(gen, 500, rng)),
            "real_mean_pairwise": _mean_pairwise(_subsample(real, 500, rng)),
        },
    }
    if sources is not None:
        exact = np.ones(len(generated), bool) if source_is_input is None else source_is_input
        change = _source_change(generated, sources, keep[exact[keep]])
        if change is not None:
            report["source_change"] = change
    return report

"""The 2-D CycleGAN of §4.1: MLP networks plugged into the project's one CycleGAN training loop.

Only what is specific to points lives here: the MLP networks (``networks.py``), standardising
the points before training (and undoing it after), and a numpy-in/numpy-out translator. The
objective (LSGAN eq. 2–3, λ-weighted L1 cycle loss eq. 5) and the loop are the shared ones in
``emotion_gan.models.cyclegan``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import torch

from emotion_gan.models.cyclegan.networks import CycleGANNetworks
from emotion_gan.models.cyclegan.trainer import CycleGANConfig, train_cyclegan
from emotion_gan.models.toy.networks import PointDiscriminator, PointGenerator

#: Parameter keys of the points and networks; every other key is a ``CycleGANConfig`` field.
_NETWORK_KEYS = ("hidden_units", "hidden_layers", "sds_per_unit")


@dataclass(frozen=True)
class PointCycleGANSettings:
    """Width/depth of the MLPs, the point scaling and the training configuration of one run."""

    hidden_units: int
    hidden_layers: int
    sds_per_unit: float
    training: CycleGANConfig

    @classmethod
    def from_params(cls, params: Mapping[str, Any], seed: int) -> PointCycleGANSettings:
        """Split the ``toy_svm.cyclegan`` parameters into network shape and training config.

        ``seed`` seeds both the initial weights and the trainer's batch sampling, so one seed's
        run is reproducible on its own.
        """
        known = set(_NETWORK_KEYS) | {f.name for f in fields(CycleGANConfig)}
        unknown = sorted(set(params) - known)
        if unknown:
            raise ValueError(
                f"unknown toy CycleGAN parameters {unknown}; allowed: {sorted(known - {'seed'})}"
            )
        training = {k: v for k, v in params.items() if k not in _NETWORK_KEYS}
        training["seed"] = seed
        return cls(
            hidden_units=int(params["hidden_units"]),
            hidden_layers=int(params["hidden_layers"]),
            sds_per_unit=float(params["sds_per_unit"]),
            training=CycleGANConfig(**training),
        )


@dataclass(frozen=True)
class PointStandardiser:
    """One affine map shared by both domains: centre R ∪ T, and ``sds_per_unit`` of its
    standard deviations (per coordinate) become one unit.

    Why: the MLPs train best on inputs of order one, and the points of §4.1 sit around
    x₂ ≈ 2…7. The same map for both classes keeps their relative position, which is what G has
    to learn. Why the scale matters: the L1 cycle loss is measured in these units while the
    LSGAN terms are unit-free, so the units set how hard λ = 10 pulls G towards the identity.
    ``sds_per_unit = 3`` puts ≈ 99.7 % of the points in [−1, 1], the range the image CycleGAN
    works in; at unit-sd scaling (``sds_per_unit = 1``) the λ = 10 cycle term held G at the
    identity on validation draws.
    """

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, *point_sets: np.ndarray, sds_per_unit: float = 3.0) -> PointStandardiser:
        """Fit on the union of ``point_sets``; a constant coordinate keeps scale 1."""
        if sds_per_unit <= 0:
            raise ValueError(f"sds_per_unit must be positive, got {sds_per_unit}")
        points = np.concatenate(point_sets)
        sd = points.std(axis=0)
        return cls(mean=points.mean(axis=0), scale=np.where(sd > 0, sds_per_unit * sd, 1.0))

    def transform(self, points: np.ndarray) -> torch.Tensor:
        """Points (N, d) → standardised float32 tensor."""
        return torch.as_tensor((points - self.mean) / self.scale, dtype=torch.float32)

    def inverse(self, standardised: torch.Tensor) -> np.ndarray:
        """Standardised tensor → points (N, d) in the original coordinates."""
        return standardised.detach().cpu().double().numpy() * self.scale + self.mean


@dataclass
class PointCycleGAN:
    """A trained toy CycleGAN with the standardisation it was trained under."""

    networks: CycleGANNetworks
    standardiser: PointStandardiser

    def reference_to_target(self, points: np.ndarray) -> np.ndarray:
        """G: reference-class points → synthetic target (minority) points, original units."""
        return self._apply(self.networks.generator_g, points)

    def _apply(self, generator: torch.nn.Module, points: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self.standardiser.inverse(generator(self.standardiser.transform(points)))


def build_point_networks(
    hidden_units: int, hidden_layers: int, seed: int, dim: int = 2
) -> CycleGANNetworks:
    """G, F (residual MLPs starting at the identity) and D_R, D_T (MLPs), seeded initial weights.

    The seed is applied inside ``torch.random.fork_rng`` so building networks never changes the
    caller's global random state.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return CycleGANNetworks(
            generator_g=PointGenerator(dim, hidden_units, hidden_layers),
            generator_f=PointGenerator(dim, hidden_units, hidden_layers),
            discriminator_r=PointDiscriminator(dim, hidden_units, hidden_layers),
            discriminator_t=PointDiscriminator(dim, hidden_units, hidden_layers),
        )


def train_point_cyclegan(
    reference: np.ndarray,
    target: np.ndarray,
    settings: PointCycleGANSettings,
    *,
    progress_desc: str = "toy cyclegan",
) -> tuple[PointCycleGAN, list[dict[str, float]]]:
    """Train G: reference → target (and F back) on 2-D points; returns the model and history."""
    for name, points in (("reference", reference), ("target", target)):
        if points.ndim != 2 or len(points) == 0:
            raise ValueError(
                f"{name} points must be a non-empty (N, d) array, got shape {points.shape}"
            )
    standardiser = PointStandardiser.fit(reference, target, sds_per_unit=settings.sds_per_unit)
    networks = build_point_networks(
        settings.hidden_units,
        settings.hidden_layers,
        seed=settings.training.seed,
        dim=reference.shape[1],
    )
    # Tiny MLPs gain nothing from intra-op threads, and on a busy machine thread hand-offs
    # cost more than the maths (measured: 500 steps ≈ 2 s on one thread, > 30 s on two while
    # other processes held the cores). The caller's setting is restored afterwards.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        history = train_cyclegan(
            networks,
            standardiser.transform(reference),
            standardiser.transform(target),
            settings.training,
            progress_desc=progress_desc,
        )
    finally:
        torch.set_num_threads(threads)
    return PointCycleGAN(networks=networks, standardiser=standardiser), history

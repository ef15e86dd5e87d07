"""Generators and discriminators of the 2-D toy CycleGAN (§4.1): small MLPs, not conv nets.

The paper does not describe the toy CycleGAN's networks, and its image networks (ResNet
generator, PatchGAN discriminator) do not apply to 2-D points: there is no spatial grid to
convolve over. Both networks here are multilayer perceptrons on standardised points. The rest
— LSGAN losses (eq. 2–3), the L1 cycle loss with λ = 10 (eq. 5), Adam with β = (0.5, 0.999) and
the linear learning-rate decay — is the shared CycleGAN loop the image pipeline uses.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn


def _mlp(
    in_features: int, hidden_units: int, hidden_layers: int, out_features: int
) -> nn.Sequential:
    """``hidden_layers`` Linear+LeakyReLU(0.2) blocks, then a linear read-out."""
    if hidden_layers < 1 or hidden_units < 1:
        raise ValueError(
            f"an MLP needs hidden_layers ≥ 1 and hidden_units ≥ 1, got {hidden_layers} and "
            f"{hidden_units}"
        )
    layers: list[nn.Module] = []
    width = in_features
    for _ in range(hidden_layers):
        layers += [nn.Linear(width, hidden_units), nn.LeakyReLU(0.2)]
        width = hidden_units
    layers.append(nn.Linear(width, out_features))
    return nn.Sequential(*layers)


class PointGenerator(nn.Module):
    """G: R → T (or F: T → R) on points: ``x ↦ x + MLP(x)``.

    Why residual with a zero-initialised read-out: the generator starts as the identity, so the
    cycle loss is zero from step one and the adversarial loss only has to learn how the target
    class differs from the reference class (for the paper's equal-covariance Gaussians, a shift).
    A plain MLP would first have to learn to copy its input.
    """

    def __init__(self, dim: int = 2, hidden_units: int = 32, hidden_layers: int = 2) -> None:
        super().__init__()
        self.config: dict[str, Any] = {
            "dim": dim,
            "hidden_units": hidden_units,
            "hidden_layers": hidden_layers,
        }
        self.residual = _mlp(dim, hidden_units, hidden_layers, dim)
        read_out = self.residual[-1]
        nn.init.zeros_(read_out.weight)
        nn.init.zeros_(read_out.bias)

    def forward(self, points: Tensor) -> Tensor:
        """Translate a batch of points ``(N, dim)`` into the other class."""
        return points + self.residual(points)


class PointDiscriminator(nn.Module):
    """D_R or D_T on points: an MLP giving one unbounded score per point (LSGAN, no sigmoid)."""

    def __init__(self, dim: int = 2, hidden_units: int = 32, hidden_layers: int = 2) -> None:
        super().__init__()
        self.config: dict[str, Any] = {
            "dim": dim,
            "hidden_units": hidden_units,
            "hidden_layers": hidden_layers,
        }
        self.score = _mlp(dim, hidden_units, hidden_layers, 1)

    def forward(self, points: Tensor) -> Tensor:
        """Score a batch of points ``(N, dim)`` → ``(N, 1)``; 1 means "real", 0 "generated"."""
        return self.score(points)

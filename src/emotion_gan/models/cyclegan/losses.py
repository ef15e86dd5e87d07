"""CycleGAN objective with least-squares adversarial terms (paper eq. 2–5).

Shape-agnostic: the same functions serve the 48×48 image CycleGAN (PatchGAN outputs) and the
2-D toy CycleGAN of §4.1 (one score per point). Means are taken over every discriminator output
and every element, as in the reference CycleGAN implementation.
"""

from __future__ import annotations

from torch import Tensor


def lsgan_discriminator_loss(score_real: Tensor, score_fake: Tensor) -> Tensor:
    """Discriminator side of eq. 2/3: ``0.5 · (E[(D(real) − 1)²] + E[D(fake)²])``.

    The factor 0.5 follows the reference implementation: it halves D's learning speed relative
    to G so the discriminator does not overpower the generator early on.
    """
    return 0.5 * (((score_real - 1.0) ** 2).mean() + (score_fake**2).mean())


def lsgan_generator_loss(score_fake: Tensor) -> Tensor:
    """Generator side of eq. 2/3: ``E[(D(G(r)) − 1)²]`` — G wants its fakes scored as real."""
    return ((score_fake - 1.0) ** 2).mean()


def cycle_consistency_loss(
    reference: Tensor, reconstructed_reference: Tensor, target: Tensor, reconstructed_target: Tensor
) -> Tensor:
    """Eq. 5, unweighted: ``E‖F(G(r)) − r‖₁ + E‖G(F(t)) − t‖₁`` (mean absolute error each way)."""
    return (reconstructed_reference - reference).abs().mean() + (
        reconstructed_target - target
    ).abs().mean()


def identity_loss(
    reference: Tensor, f_of_reference: Tensor, target: Tensor, g_of_target: Tensor
) -> Tensor:
    """Identity term of the reference CycleGAN: ``E‖G(t) − t‖₁ + E‖F(r) − r‖₁``.

    Not in the paper's equations; the reference implementation adds it (weight 0.5·λ) because it
    keeps the translation from changing what need not change (here: identity and lighting).
    """
    return (g_of_target - target).abs().mean() + (f_of_reference - reference).abs().mean()


def total_generator_loss(
    adversarial_g: Tensor,
    adversarial_f: Tensor,
    cycle: Tensor,
    identity: Tensor | None,
    cycle_loss_weight: float,
    identity_loss_weight: float,
) -> Tensor:
    """Eq. 4 from the generators' side: ``L_T + L_R + λ·L_cyc`` (+ identity term if enabled)."""
    loss = adversarial_g + adversarial_f + cycle_loss_weight * cycle
    if identity is not None and identity_loss_weight:
        loss = loss + identity_loss_weight * identity
    return loss

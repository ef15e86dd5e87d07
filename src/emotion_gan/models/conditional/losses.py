"""The conditional generator's objective (StarGAN, Choi et al. 2018, eq. 1–7), least-squares.

    L_D = L_adv^D + λ_cls · L_cls(D_cls(x), c_x)                    (real faces, their labels)
    L_G = L_adv^G + λ_cls · L_cls(D_cls(G(x, c)), c) + λ_rec · ‖G(G(x, c), c_x) − x‖₁

The adversarial terms are the CycleGAN's LSGAN losses (:mod:`emotion_gan.models.cyclegan.losses`),
not StarGAN's WGAN-GP: the same adversarial loss in both families keeps the comparison about
conditioning and sharing, and WGAN-GP's gradient penalty (a double backward) and five critic
steps per generator step would cost ≈ 5× the discriminator work on a 2-core CPU.
"""

from __future__ import annotations

from torch import Tensor, nn


def domain_classification_loss(logits: Tensor, labels: Tensor) -> Tensor:
    """StarGAN's L_cls: cross-entropy of D's emotion logits ``(N, K)`` against ``labels``.

    D learns it on real faces and their true labels; G on its fakes and the *target* labels, so
    G is rewarded when D's emotion head recognises the asked-for emotion in the fake.
    """
    return nn.functional.cross_entropy(logits.float(), labels.long())


def reconstruction_loss(faces: Tensor, reconstructed: Tensor) -> Tensor:
    """StarGAN's L_rec: ``E‖G(G(x, c), c_x) − x‖₁`` — the cycle loss of one conditional G."""
    return (reconstructed - faces).abs().mean()

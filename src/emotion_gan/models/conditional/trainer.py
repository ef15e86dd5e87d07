"""The conditional generator's training loop: one G, one D, every emotion at once.

Per step (StarGAN's, with one discriminator step per generator step since the adversarial loss
is least-squares, not WGAN-GP — :mod:`.losses`):

1. draw a batch of real faces with their labels c_x (class-balanced by default: each class is
   drawn as often as any other, so D's emotion head does not learn FER2013's prior and D sees
   the 87 disgust faces as often as the happy ones) and a target emotion c per face, uniform
   over the classes present;
2. fake = G(x, c), once: StarGAN recomputes it for the generator step because its critic takes
   five steps; with one step the same fake serves both updates;
3. update D: LSGAN realness on real vs fake (detached), λ_cls · CE(emotion head(real), c_x);
4. update G with D frozen: LSGAN realness of the fake, λ_cls · CE(emotion head(fake), c) and
   λ_rec · ‖G(fake, c_x) − x‖₁.

The loop, lr schedule, loss guard, history (with training seconds) and resume are the
CycleGAN's (:mod:`emotion_gan.models.training.adversarial`), so a checkpointed run resumed on
the CPU reproduces an uninterrupted one exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from emotion_gan.models.conditional.losses import domain_classification_loss, reconstruction_loss
from emotion_gan.models.conditional.networks import ConditionalGANNetworks
from emotion_gan.models.cyclegan.losses import lsgan_discriminator_loss, lsgan_generator_loss
from emotion_gan.models.training.adversarial import (
    AdversarialConfig,
    Augment,
    GANRunState,
    RunLabel,
    apply_update,
    check_samples,
    guard,
    has_batch_norm,
    requires_grad,
    run_steps,
    set_learning_rate,
    start_run,
)
from emotion_gan.models.training.checkpoints import CheckpointStore
from emotion_gan.models.training.runtime import (
    MixedPrecision,
)


@dataclass(frozen=True)
class ConditionalGANConfig(AdversarialConfig):
    """Hyper-parameters of one conditional run (StarGAN's defaults where they carry over).

    The schedule, batch, device and checkpoint fields are :class:`AdversarialConfig`'s (shared
    with the CycleGAN); the conditional objective adds:

    Attributes:
        domain_loss_weight: λ_cls (StarGAN: 1).
        reconstruction_loss_weight: λ_rec (StarGAN: 10, the CycleGAN's λ).
        balanced_sampling: draw real faces class-balanced (else uniformly over faces).
    """

    domain_loss_weight: float = 1.0
    reconstruction_loss_weight: float = 10.0
    balanced_sampling: bool = True

    RESUME_FIELDS: ClassVar[tuple[str, ...]] = (
        *AdversarialConfig.RESUME_FIELDS,
        "domain_loss_weight",
        "reconstruction_loss_weight",
        "balanced_sampling",
    )

    def checks(self) -> dict[str, bool]:
        return {
            **super().checks(),
            "domain_loss_weight": self.domain_loss_weight >= 0,
            "reconstruction_loss_weight": self.reconstruction_loss_weight >= 0,
        }


def train_conditional_gan(
    networks: ConditionalGANNetworks,
    faces: Tensor,
    labels: Tensor,
    config: ConditionalGANConfig,
    *,
    augment: Augment | None = None,
    checkpoints: CheckpointStore | None = None,
    progress_desc: str = "every emotion",
) -> list[dict[str, float]]:
    """Train ``networks`` in place to turn any face into any emotion present in ``labels``.

    Args:
        networks: G and D, already initialised (their weights are the starting point).
        faces: ``(N, 1, H, W)`` in [-1, 1], every class of the training data.
        labels: ``(N,)`` emotion labels, each below the networks' ``num_domains``.
        config: hyper-parameters.
        augment: optional ``augment(batch, generator) -> batch`` applied to every drawn batch.
        checkpoints: where to save checkpoints; one from the same settings and data is resumed.
        progress_desc: label of the progress bar and of errors.

    Returns:
        The loss history, one dict per logged step: ``step``, ``lr``, ``seconds``,
        ``loss_d_adv``, ``loss_d_domain`` (D's emotion head on real faces), ``loss_g_adv``,
        ``loss_g_domain`` (the head on G's fakes vs their targets), ``reconstruction``.

    Raises:
        NonFiniteLossError: a loss became NaN/inf or diverged. The guard runs before each
            update: a diverged D loss stops the step before D moves; a diverged G loss stops
            it after that step's D update but before G's. Checkpoints keep the last good state.
        ValueError: empty, non-finite or mislabelled inputs, or another run's checkpoint.
    """
    check_samples({"faces": faces})
    labels = _check_labels(labels, len(faces), networks.generator.num_domains)
    label = RunLabel("conditional GAN", progress_desc, "conditional_gan", "train_conditional_gan")
    run, forward = _start_run(networks, faces, labels, config, checkpoints, label)
    sampler = _BatchSampler(labels, config.balanced_sampling)

    def train_step(step: int) -> tuple[float, dict[str, Tensor]]:
        lr = config.learning_rate * config.lr_factor(step)
        set_learning_rate((run.optimizer_g, run.optimizer_d), lr)
        rows, target = sampler.draw(config.batch_size, run.rng)
        batch = faces[rows] if augment is None else augment(faces[rows], run.rng)
        on_device = (t.to(forward.precision.device) for t in (batch, labels[rows], target))
        return lr, forward(run, step, label, *on_device)

    shown = ("loss_g_adv", "loss_g_domain", "loss_d_adv")
    return run_steps(run, train_step, config, checkpoints, label, shown)


def _check_labels(labels: Tensor, count: int, num_domains: int) -> Tensor:
    labels = torch.as_tensor(labels)
    if labels.is_floating_point() or labels.is_complex():
        raise ValueError(f"labels must be integers, got {labels.dtype}")
    labels = labels.long()
    if labels.shape != (count,):
        raise ValueError(f"one label per face: {count} faces but labels {tuple(labels.shape)}")
    outside = (labels < 0) | (labels >= num_domains)
    if bool(outside.any()):
        rows = torch.nonzero(outside).flatten()[:5].tolist()
        raise ValueError(
            f"labels outside 0…{num_domains - 1} (rows {rows}); the generator was built for "
            f"{num_domains} emotions"
        )
    return labels


class _BatchSampler:
    """Seeded draws of (face rows, target emotions); balanced over classes if asked."""

    def __init__(self, labels: Tensor, balanced: bool) -> None:
        self.balanced = balanced
        self.classes = torch.unique(labels)
        self.rows_by_class = [torch.nonzero(labels == c).flatten() for c in self.classes]
        self.count = len(labels)

    def draw(self, batch_size: int, rng: torch.Generator) -> tuple[Tensor, Tensor]:
        """Rows first, then targets: the order a checkpoint's RNG state continues."""
        if self.balanced:
            picks = torch.randint(len(self.classes), (batch_size,), generator=rng).tolist()
            members = [self.rows_by_class[c] for c in picks]
            rows = torch.stack([m[torch.randint(len(m), (), generator=rng)] for m in members])
        else:
            rows = torch.randint(self.count, (batch_size,), generator=rng)
        target = self.classes[torch.randint(len(self.classes), (batch_size,), generator=rng)]
        return rows, target


def _start_run(
    networks: ConditionalGANNetworks,
    faces: Tensor,
    labels: Tensor,
    config: ConditionalGANConfig,
    checkpoints: CheckpointStore | None,
    label: RunLabel,
) -> tuple[GANRunState, _TrainingStep]:
    """Networks on the device, optimisers and random stream — resumed if possible."""
    modules = networks.as_dict()
    run, precision = start_run(
        modules,
        ([networks.generator], [networks.discriminator]),
        config,
        {"faces": faces, "labels": labels.double()},
        checkpoints,
        label,
    )
    merge = not has_batch_norm(modules.values())
    return run, _TrainingStep(networks, config, precision, merge=merge)


class _TrainingStep:
    """Forward passes, losses and both updates of one step (D first, then G)."""

    def __init__(
        self,
        networks: ConditionalGANNetworks,
        config: ConditionalGANConfig,
        precision: MixedPrecision,
        *,
        merge: bool,
    ) -> None:
        self.g, self.d = networks.generator, networks.discriminator
        self.config = config
        self.precision = precision
        self.merge = merge  # D on [real, fake] in one call when no layer mixes the batch

    def __call__(
        self,
        run: GANRunState,
        step: int,
        label: RunLabel,
        real: Tensor,
        source: Tensor,
        target: Tensor,
    ) -> dict[str, Tensor]:
        with self.precision.autocast():
            fake = self.g(real, target).float()
        d_losses = self.discriminator_losses(real, fake.detach(), source)
        guard(d_losses, step, label, run.last_saved, self.config)
        apply_update(run.optimizer_d, d_losses.pop("total"), run.scaler)
        g_losses = self.generator_losses(real, fake, source, target)
        guard(g_losses, step, label, run.last_saved, self.config)
        apply_update(run.optimizer_g, g_losses.pop("total"), run.scaler)
        run.scaler.update()
        requires_grad([self.d], True)  # D leaves the step trainable, as it entered
        return {**d_losses, **g_losses}

    def discriminator_losses(self, real: Tensor, fake: Tensor, source: Tensor) -> dict[str, Tensor]:
        requires_grad([self.d], True)
        with self.precision.autocast():
            if self.merge:
                scores, logits = self.d(torch.cat([real, fake]))
                real_score, fake_score = scores[: len(real)], scores[len(real) :]
                real_logits = logits[: len(real)]
            else:
                real_score, real_logits = self.d(real)
                fake_score, _ = self.d(fake)
        adversarial = lsgan_discriminator_loss(real_score.float(), fake_score.float())
        domain = domain_classification_loss(real_logits, source)
        return {
            "total": adversarial + self.config.domain_loss_weight * domain,
            "loss_d_adv": adversarial,
            "loss_d_domain": domain,
        }

    def generator_losses(
        self, real: Tensor, fake: Tensor, source: Tensor, target: Tensor
    ) -> dict[str, Tensor]:
        requires_grad([self.d], False)
        with self.precision.autocast():
            score, logits = self.d(fake)
            reconstructed = self.g(fake, source).float()
        adversarial = lsgan_generator_loss(score.float())
        domain = domain_classification_loss(logits, target)
        reconstruction = reconstruction_loss(real, reconstructed)
        config = self.config
        return {
            "total": adversarial
            + config.domain_loss_weight * domain
            + config.reconstruction_loss_weight * reconstruction,
            "loss_g_adv": adversarial,
            "loss_g_domain": domain,
            "reconstruction": reconstruction,
        }

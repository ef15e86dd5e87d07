"""The CycleGAN training loop (paper §3.1, reference recipe of Zhu et al. 2017), shape-agnostic.

One loop serves the 48×48 face CycleGANs and the 2-D toy CycleGAN of §4.1: it only needs four
modules and two tensors of samples ``(N, ...)``. Per step, as in the reference implementation:

1. draw one batch from each domain (a seeded ``torch.Generator``; optional augmentation);
2. update G and F together with the discriminators frozen: LSGAN adversarial terms (eq. 2–3),
   λ·cycle loss (eq. 5) and the optional identity loss;
3. update D_R and D_T on real samples and on fakes drawn from a history pool of past fakes.

Learning rate: constant, then linear decay towards 0 (``decay_start_fraction``). Long runs are
safe: checkpoints hold everything that determines the future (weights, Adam moments, the RNG
state, both history pools, the loss history), so a resumed run reproduces an uninterrupted one
on the CPU, and a non-finite loss stops training *before* the optimiser applies it.

Speed (``bench/cyclegan_step.py``, paper-size networks, batch 1, 2 CPU cores: ≈ 1.6× a plain
eager fp32 step, same losses): bf16 autocast on the CPU (opt-in, ``autocast_bf16_on_cpu``), the
fused Adam kernel, and merged calls — when no network contains batch normalisation, calls that
do not depend on each other share one forward pass (G on [r, t], F on [t, G(r), r], each D on
[real, pooled fake]). Instance norm and plain layers treat batch items independently, so this is
the same computation in fewer, larger calls; with batch norm the batch statistics would mix the
items, so each call then runs separately as in the reference code. channels_last was slower.

Around the loop: the networks and their bundle are in ``networks``, the discriminators' pool of
past fakes in ``history_pool``. The loop itself, the loss guard and what a checkpoint must match
to be resumed are shared with the conditional generator (``models.training.adversarial``);
device / precision / optimiser policy (shared with the classifier) is ``models.training.runtime``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import Tensor

from emotion_gan.models.cyclegan.history_pool import HistoryPool
from emotion_gan.models.cyclegan.losses import (
    cycle_consistency_loss,
    identity_loss,
    lsgan_discriminator_loss,
    lsgan_generator_loss,
    total_generator_loss,
)
from emotion_gan.models.cyclegan.networks import CycleGANNetworks
from emotion_gan.models.training.adversarial import (
    AdversarialConfig,
    Augment,
    GANRunState,
    RunLabel,
    apply_update,
    check_samples,
    draw,
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
class CycleGANConfig(AdversarialConfig):
    """Hyper-parameters of one CycleGAN run (defaults: the reference recipe / paper §3.2).

    The schedule, batch, device and checkpoint fields are :class:`AdversarialConfig`'s (shared
    with the conditional generator); the CycleGAN's own objective adds:

    Attributes:
        cycle_loss_weight: λ of eq. 4.
        identity_loss_weight: weight of the identity loss; 0.5·λ as in the reference CycleGAN,
            0 disables it (and skips its forward passes).
        history_pool_size: past fakes the discriminators sample from (0 = only current fakes).
    """

    cycle_loss_weight: float = 10.0
    identity_loss_weight: float = 5.0
    history_pool_size: int = 50

    RESUME_FIELDS: ClassVar[tuple[str, ...]] = (
        *AdversarialConfig.RESUME_FIELDS,
        "cycle_loss_weight",
        "identity_loss_weight",
        "history_pool_size",
    )

    def checks(self) -> dict[str, bool]:
        return {
            **super().checks(),
            "history_pool_size": self.history_pool_size >= 0,
            "cycle_loss_weight": self.cycle_loss_weight >= 0,
            "identity_loss_weight": self.identity_loss_weight >= 0,
        }


def train_cyclegan(
    networks: CycleGANNetworks,
    reference: Tensor,
    target: Tensor,
    config: CycleGANConfig,
    *,
    augment: Augment | None = None,
    checkpoints: CheckpointStore | None = None,
    progress_desc: str = "cyclegan",
) -> list[dict[str, float]]:
    """Train ``networks`` in place to translate ``reference`` samples into ``target`` ones.

    Args:
        networks: G, F, D_R, D_T, already initialised (their weights are the starting point).
        reference: samples of the reference domain R, ``(N_R, ...)``, already scaled
            (faces: ``(N, 1, 48, 48)`` in [-1, 1]).
        target: samples of the target domain T, ``(N_T, ...)`` with the same per-sample shape.
        config: hyper-parameters.
        augment: optional ``augment(batch, generator) -> batch`` applied on the CPU to every
            drawn batch of both domains (e.g. random pad-and-crop + flip for tiny classes).
        checkpoints: where to save checkpoints every ``config.checkpoint_every`` steps; if it
            already holds one from the same settings and data, training resumes from it.
        progress_desc: label of the tqdm progress bar and of errors (e.g. the target class).

    Returns:
        The loss history, one dict per logged step with ``step`` (1-based), ``loss_g`` and
        ``loss_f`` (adversarial terms of G and F), ``cycle``, ``identity`` (0 when disabled),
        ``loss_d_r``, ``loss_d_t``, ``lr`` and ``seconds`` (training time so far). The networks
        are left on the CPU in eval mode.

    Raises:
        NonFiniteLossError: a loss became NaN/inf; the weights of the last checkpoint are kept.
        ValueError: empty, non-finite or mismatched inputs, or a checkpoint from other settings.
    """
    check_samples({"reference": reference, "target": target})
    label = RunLabel("CycleGAN", progress_desc, "cyclegan", "train_cyclegan_per_class")
    run, forward = _start_run(networks, reference, target, config, checkpoints, label)

    def train_step(step: int) -> tuple[float, dict[str, Tensor]]:
        return _train_step(run, forward, step, (reference, target), augment, label)

    shown = ("loss_g", "cycle", "loss_d_t")
    return run_steps(run, train_step, config, checkpoints, label, shown)


@dataclass(kw_only=True)
class _RunState(GANRunState):
    """The shared run state plus the discriminators' pools of past fakes (also checkpointed)."""

    pool_r: HistoryPool
    pool_t: HistoryPool

    def checkpoint(self) -> dict[str, Any]:
        pools = {"pool_r": self.pool_r.state(), "pool_t": self.pool_t.state()}
        return {**super().checkpoint(), **pools}

    def restore(self, step: int, state: dict[str, Any], device: torch.device) -> None:
        super().restore(step, state, device)
        self.pool_r.load(state["pool_r"], device)
        self.pool_t.load(state["pool_t"], device)


def _start_run(
    networks: CycleGANNetworks,
    reference: Tensor,
    target: Tensor,
    config: CycleGANConfig,
    checkpoints: CheckpointStore | None,
    label: RunLabel,
) -> tuple[_RunState, _TrainingStep]:
    """Networks on the device, optimisers, random stream and pools — resumed if possible.

    The fingerprint is taken before resuming, so it describes the initial weights.
    """
    generators = [networks.generator_g, networks.generator_f]
    discriminators = [networks.discriminator_r, networks.discriminator_t]
    modules = networks.as_dict()
    run, precision = start_run(
        modules,
        (generators, discriminators),
        config,
        {"reference": reference, "target": target},
        checkpoints,
        label,
        state=_RunState,
        pool_r=HistoryPool(config.history_pool_size),
        pool_t=HistoryPool(config.history_pool_size),
    )
    merge = not has_batch_norm(modules.values())
    return run, _TrainingStep(networks, config, precision, merge=merge)


def _train_step(
    run: _RunState,
    forward: _TrainingStep,
    step: int,
    domains: tuple[Tensor, Tensor],
    augment: Augment | None,
    label: RunLabel,
) -> tuple[float, dict[str, Tensor]]:
    """One step at 0-based ``step``: G/F update, then D update; returns ``(lr, losses)``.

    Random draws, in this order: the R batch, the T batch (each with its augmentation), then
    the history pools — the order a checkpoint's RNG state continues.
    """
    config = forward.config
    lr = config.learning_rate * config.lr_factor(step)
    set_learning_rate((run.optimizer_g, run.optimizer_d), lr)
    real_r, real_t = (
        draw(samples, config.batch_size, run.rng, augment).to(forward.precision.device)
        for samples in domains
    )
    losses = forward.generators(real_r, real_t)
    guard(losses, step, label, run.last_saved, config)
    apply_update(run.optimizer_g, losses["total"], run.scaler)
    fake_r = run.pool_r.query(losses.pop("fake_r"), run.rng)
    fake_t = run.pool_t.query(losses.pop("fake_t"), run.rng)
    d_losses = forward.discriminators(real_r, real_t, fake_r, fake_t)
    guard(d_losses, step, label, run.last_saved, config)
    apply_update(run.optimizer_d, d_losses["loss_d_r"] + d_losses["loss_d_t"], run.scaler)
    run.scaler.update()
    return lr, {**losses, **d_losses}


class _TrainingStep:
    """Forward passes and losses of one step (merged calls when no batch norm is present)."""

    def __init__(
        self,
        networks: CycleGANNetworks,
        config: CycleGANConfig,
        precision: MixedPrecision,
        *,
        merge: bool,
    ) -> None:
        self.net = networks
        self.config = config
        self.precision = precision
        self.merge = merge
        self.use_identity = config.identity_loss_weight > 0

    def generators(self, real_r: Tensor, real_t: Tensor) -> dict[str, Tensor]:
        """G/F update losses with D frozen; also returns the fakes for the history pools."""
        g, f = self.net.generator_g, self.net.generator_f
        requires_grad([self.net.discriminator_r, self.net.discriminator_t], False)
        n = len(real_r)
        idt_r = idt_t = None
        with self.precision.autocast():
            if self.merge:
                g_in = torch.cat([real_r, real_t]) if self.use_identity else real_r
                g_out = g(g_in).float()
                fake_t = g_out[:n]
                idt_t = g_out[n:] if self.use_identity else None
                f_parts = [real_t, fake_t] + ([real_r] if self.use_identity else [])
                f_out = f(torch.cat(f_parts)).float()
                fake_r, rec_r = f_out[:n], f_out[n : 2 * n]
                idt_r = f_out[2 * n :] if self.use_identity else None
            else:
                fake_t = g(real_r).float()
                fake_r = f(real_t).float()
                rec_r = f(fake_t).float()
                if self.use_identity:
                    idt_t = g(real_t).float()
                    idt_r = f(real_r).float()
            rec_t = g(fake_r).float()
            loss_g = lsgan_generator_loss(self.net.discriminator_t(fake_t).float())
            loss_f = lsgan_generator_loss(self.net.discriminator_r(fake_r).float())
        cycle = cycle_consistency_loss(real_r, rec_r, real_t, rec_t)
        identity = (
            identity_loss(real_r, idt_r, real_t, idt_t)
            if idt_r is not None and idt_t is not None
            else torch.zeros((), device=self.precision.device)
        )
        total = total_generator_loss(
            loss_g,
            loss_f,
            cycle,
            identity,
            self.config.cycle_loss_weight,
            self.config.identity_loss_weight,
        )
        return {
            "total": total,
            "loss_g": loss_g,
            "loss_f": loss_f,
            "cycle": cycle,
            "identity": identity,
            "fake_r": fake_r,
            "fake_t": fake_t,
        }

    def discriminators(
        self, real_r: Tensor, real_t: Tensor, fake_r: Tensor, fake_t: Tensor
    ) -> dict[str, Tensor]:
        """LSGAN losses of D_R and D_T on real samples and (pooled, detached) fakes."""
        requires_grad([self.net.discriminator_r, self.net.discriminator_t], True)
        losses = {}
        with self.precision.autocast():
            for name, disc, real, fake in (
                ("loss_d_r", self.net.discriminator_r, real_r, fake_r),
                ("loss_d_t", self.net.discriminator_t, real_t, fake_t),
            ):
                if self.merge:
                    scores = disc(torch.cat([real, fake])).float()
                    real_score, fake_score = scores[: len(real)], scores[len(real) :]
                else:
                    real_score, fake_score = disc(real).float(), disc(fake).float()
                losses[name] = lsgan_discriminator_loss(real_score, fake_score)
        return losses

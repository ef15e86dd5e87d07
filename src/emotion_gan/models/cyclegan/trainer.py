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
past fakes in ``history_pool``, what a checkpoint must match to be resumed in ``resume``, and
device / precision / optimiser policy (shared with the classifier) in ``models.training``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

from emotion_gan.models.cyclegan.history_pool import HistoryPool
from emotion_gan.models.cyclegan.losses import (
    cycle_consistency_loss,
    identity_loss,
    lsgan_discriminator_loss,
    lsgan_generator_loss,
    total_generator_loss,
)
from emotion_gan.models.cyclegan.networks import CycleGANNetworks
from emotion_gan.models.cyclegan.resume import check_fingerprint, fingerprint
from emotion_gan.models.training.checkpoints import CheckpointStore
from emotion_gan.models.training.fields import check_field_types
from emotion_gan.models.training.runtime import (
    MixedPrecision,
    NonFiniteLossError,
    fused_adam,
    mixed_precision,
    resolve_device,
)

Augment = Callable[[Tensor, torch.Generator], Tensor]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CycleGANConfig:
    """Hyper-parameters of one CycleGAN run (defaults: the reference recipe / paper §3.2).

    Attributes:
        steps: number of training steps (one batch of each domain per step).
        batch_size: samples per domain per step (paper and reference: 1).
        learning_rate: Adam learning rate for both generator and discriminator optimisers.
        betas: Adam betas (β₁ = 0.5 in the paper).
        cycle_loss_weight: λ of eq. 4.
        identity_loss_weight: weight of the identity loss; 0.5·λ as in the reference CycleGAN,
            0 disables it (and skips its forward passes).
        decay_start_fraction: fraction of ``steps`` at constant lr before the linear decay to 0.
        history_pool_size: past fakes the discriminators sample from (0 = only current fakes).
        checkpoint_every: save a checkpoint every this many steps and at the end (0 = never).
        seed: seeds batch sampling, augmentation and the history pools (not the initial weights:
            those are the caller's, see ``networks.init_weights``).
        device: ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``, ``"cuda:1"``...
        log_every: record the losses every this many steps (and at the last step).
        autocast_bf16_on_cpu: run forward passes under bfloat16 autocast on the CPU (faster on
            CPUs with native bf16, see the bench); on CUDA, mixed precision is always used (bf16,
            or fp16 with loss scaling: ``models.training.runtime.mixed_precision``).
    """

    steps: int
    batch_size: int = 1
    learning_rate: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    cycle_loss_weight: float = 10.0
    identity_loss_weight: float = 5.0
    decay_start_fraction: float = 0.5
    history_pool_size: int = 50
    checkpoint_every: int = 0
    seed: int = 0
    device: str = "auto"
    log_every: int = 1
    autocast_bf16_on_cpu: bool = False

    def __post_init__(self) -> None:
        check_field_types(self)
        checks = {
            "steps": self.steps >= 1,
            "batch_size": self.batch_size >= 1,
            "learning_rate": self.learning_rate > 0,
            "decay_start_fraction": 0.0 <= self.decay_start_fraction <= 1.0,
            "history_pool_size": self.history_pool_size >= 0,
            "checkpoint_every": self.checkpoint_every >= 0,
            "log_every": self.log_every >= 1,
            "cycle_loss_weight": self.cycle_loss_weight >= 0,
            "identity_loss_weight": self.identity_loss_weight >= 0,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            values = ", ".join(f"{name}={getattr(self, name)!r}" for name in bad)
            raise ValueError(
                f"invalid CycleGANConfig: {values} (steps, batch_size, log_every >= 1; "
                "learning_rate > 0; decay_start_fraction in [0, 1]; the rest >= 0)"
            )
        object.__setattr__(self, "betas", tuple(float(b) for b in self.betas))

    def lr_factor(self, step: int) -> float:
        """Multiplier of ``learning_rate`` at 0-based ``step``: 1, then linearly towards 0.

        Like the reference ``linear`` policy, the last step still uses a small positive rate.
        """
        decay_start = int(self.steps * self.decay_start_fraction)
        decay_steps = self.steps - decay_start
        if step < decay_start or decay_steps == 0:
            return 1.0
        return 1.0 - (step - decay_start) / decay_steps


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
        progress_desc: label of the tqdm progress bar (e.g. the target class).

    Returns:
        The loss history, one dict per logged step with ``step`` (1-based), ``loss_g`` and
        ``loss_f`` (adversarial terms of G and F), ``cycle``, ``identity`` (0 when disabled),
        ``loss_d_r``, ``loss_d_t`` and ``lr``. The networks are left on the CPU in eval mode.

    Raises:
        NonFiniteLossError: a loss became NaN/inf; the weights of the last checkpoint are kept.
        ValueError: empty, non-finite or mismatched inputs, or a checkpoint from other settings.
    """
    _check_samples(reference, target)
    run, forward = _start_run(networks, reference, target, config, checkpoints, progress_desc)
    with tqdm(
        total=config.steps,
        initial=run.start,
        desc=progress_desc,
        dynamic_ncols=True,
        mininterval=1.0,  # long runs log to files: ~1 refresh per second is plenty
    ) as bar:
        for step in range(run.start, config.steps):
            lr, losses = _train_step(
                run, forward, step, (reference, target), augment, progress_desc
            )
            done = step + 1
            if done % config.log_every == 0 or done == config.steps:
                _log(run.history, bar, done, lr, losses)
            bar.update(1)
            if (
                checkpoints is not None
                and config.checkpoint_every
                and (done % config.checkpoint_every == 0 or done == config.steps)
            ):
                checkpoints.save(done, run.checkpoint())
                run.last_saved = done

    for module in run.modules.values():
        module.to("cpu").eval()
    return run.history


@dataclass
class _RunState:
    """Everything that determines the rest of a run: exactly what a checkpoint holds."""

    modules: dict[str, nn.Module]
    optimizer_g: torch.optim.Optimizer
    optimizer_d: torch.optim.Optimizer
    scaler: torch.amp.GradScaler
    rng: torch.Generator
    pool_r: HistoryPool
    pool_t: HistoryPool
    fingerprint: dict[str, Any]
    history: list[dict[str, float]] = field(default_factory=list)
    start: int = 0  # 0-based step the loop starts at (the resumed checkpoint's step)
    last_saved: int | None = None  # newest checkpoint written or resumed, for error messages

    def checkpoint(self) -> dict[str, Any]:
        """The state to save (CPU copies of the weights; the rest as ``state_dict``s)."""
        return {
            "fingerprint": self.fingerprint,
            "networks": {n: _cpu_state(m) for n, m in self.modules.items()},
            "optimizer_g": self.optimizer_g.state_dict(),
            "optimizer_d": self.optimizer_d.state_dict(),
            "scaler": self.scaler.state_dict(),
            "rng": self.rng.get_state(),
            "pool_r": self.pool_r.state(),
            "pool_t": self.pool_t.state(),
            "history": self.history,
        }

    def restore(
        self, step: int, state: dict[str, Any], device: torch.device, desc: str, where: str
    ) -> None:
        """Continue from the checkpoint of ``step`` (refused if it is another run's)."""
        check_fingerprint(state.get("fingerprint"), self.fingerprint, desc, where)
        logger.info("CycleGAN '%s': resuming from step %d (%s)", desc, step, where)
        for name, module in self.modules.items():
            module.load_state_dict(state["networks"][name])
        self.optimizer_g.load_state_dict(state["optimizer_g"])
        self.optimizer_d.load_state_dict(state["optimizer_d"])
        self.scaler.load_state_dict(state["scaler"])
        self.rng.set_state(state["rng"])
        self.pool_r.load(state["pool_r"], device)
        self.pool_t.load(state["pool_t"], device)
        self.history = list(state["history"])
        self.start = self.last_saved = step


def _start_run(
    networks: CycleGANNetworks,
    reference: Tensor,
    target: Tensor,
    config: CycleGANConfig,
    checkpoints: CheckpointStore | None,
    desc: str,
) -> tuple[_RunState, _TrainingStep]:
    """Networks on the device, optimisers, random stream and pools — resumed if possible.

    The fingerprint is taken before resuming, so it describes the initial weights.
    """
    device = resolve_device(config.device)
    modules = networks.as_dict()
    for module in modules.values():
        module.to(device).train()
    precision = mixed_precision(device, bf16_on_cpu=config.autocast_bf16_on_cpu)
    generators = [networks.generator_g, networks.generator_f]
    discriminators = [networks.discriminator_r, networks.discriminator_t]
    adam = {"lr": config.learning_rate, "betas": config.betas, "device": device}
    run = _RunState(
        modules=modules,
        optimizer_g=fused_adam(_parameters(generators), **adam),
        optimizer_d=fused_adam(_parameters(discriminators), **adam),
        scaler=precision.grad_scaler(),
        rng=torch.Generator().manual_seed(config.seed),
        pool_r=HistoryPool(config.history_pool_size),
        pool_t=HistoryPool(config.history_pool_size),
        fingerprint=fingerprint(config, modules, reference, target),
    )
    forward = _TrainingStep(networks, config, precision, merge=_can_merge(modules))
    resumed = checkpoints.latest() if checkpoints is not None else None
    if resumed is not None:
        run.restore(*resumed, device=device, desc=desc, where=repr(checkpoints))
    return run, forward


def _train_step(
    run: _RunState,
    forward: _TrainingStep,
    step: int,
    domains: tuple[Tensor, Tensor],
    augment: Augment | None,
    desc: str,
) -> tuple[float, dict[str, Tensor]]:
    """One step at 0-based ``step``: G/F update, then D update; returns ``(lr, losses)``.

    Random draws, in this order: the R batch, the T batch (each with its augmentation), then
    the history pools — the order a checkpoint's RNG state continues.
    """
    config = forward.config
    lr = config.learning_rate * config.lr_factor(step)
    for optimizer in (run.optimizer_g, run.optimizer_d):
        for group in optimizer.param_groups:
            group["lr"] = lr
    real_r, real_t = (
        _draw(samples, config.batch_size, run.rng, augment).to(forward.precision.device)
        for samples in domains
    )
    losses = forward.generators(real_r, real_t)
    _guard(losses, step, desc, run.last_saved, config)
    _apply(run.optimizer_g, losses["total"], run.scaler)
    fake_r = run.pool_r.query(losses.pop("fake_r"), run.rng)
    fake_t = run.pool_t.query(losses.pop("fake_t"), run.rng)
    d_losses = forward.discriminators(real_r, real_t, fake_r, fake_t)
    _guard(d_losses, step, desc, run.last_saved, config)
    _apply(run.optimizer_d, d_losses["loss_d_r"] + d_losses["loss_d_t"], run.scaler)
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
        _requires_grad([self.net.discriminator_r, self.net.discriminator_t], False)
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
        _requires_grad([self.net.discriminator_r, self.net.discriminator_t], True)
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


def _log(
    history: list[dict[str, float]],
    bar: tqdm,
    done: int,
    lr: float,
    losses: dict[str, Tensor],
) -> None:
    """Append the losses of step ``done`` (1-based) to ``history`` and show three on the bar."""
    record: dict[str, float] = {"step": done, "lr": lr}
    record.update({k: float(v.detach()) for k, v in losses.items()})
    record.pop("total")
    history.append(record)
    bar.set_postfix(
        {k: f"{record[k]:.3f}" for k in ("loss_g", "cycle", "loss_d_t")},
        refresh=False,
    )


def _check_samples(reference: Tensor, target: Tensor) -> None:
    for name, samples in (("reference", reference), ("target", target)):
        if not isinstance(samples, Tensor) or not samples.is_floating_point():
            raise ValueError(f"{name} samples must be a float tensor (N, ...), got {samples!r:.80}")
        if len(samples) == 0:
            raise ValueError(f"{name} domain has no samples: a CycleGAN needs both domains")
        finite = torch.isfinite(samples.reshape(len(samples), -1)).all(dim=1)
        if not bool(finite.all()):
            rows = torch.nonzero(~finite).flatten()[:5].tolist()
            raise ValueError(f"{name} samples contain NaN/inf (rows {rows}); clean the input")
    if reference.shape[1:] != target.shape[1:]:
        raise ValueError(
            f"reference samples have shape {tuple(reference.shape[1:])} but target samples "
            f"{tuple(target.shape[1:])}; both domains must have the same per-sample shape"
        )


def _parameters(modules: Iterable[nn.Module]) -> list[nn.Parameter]:
    return [p for module in modules for p in module.parameters()]


def _can_merge(modules: dict[str, nn.Module]) -> bool:
    """Merging calls is exact only when no layer computes statistics across the batch."""
    return not any(
        isinstance(layer, nn.modules.batchnorm._BatchNorm)
        for module in modules.values()
        for layer in module.modules()
    )


def _draw(
    samples: Tensor, batch_size: int, rng: torch.Generator, augment: Augment | None
) -> Tensor:
    """A batch drawn uniformly with replacement (unaligned pairs, as CycleGAN needs)."""
    batch = samples[torch.randint(len(samples), (batch_size,), generator=rng)]
    return augment(batch, rng) if augment is not None else batch


def _requires_grad(modules: list[nn.Module], flag: bool) -> None:
    for module in modules:
        for p in module.parameters():
            p.requires_grad_(flag)


def _apply(optimizer: torch.optim.Optimizer, loss: Tensor, scaler: torch.amp.GradScaler) -> None:
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(optimizer)


#: A loss term above this is diverged, not merely high: LSGAN terms of a working run stay near
#: 0.1–1 and the L1 terms below 2 (faces in [-1, 1]); lr 1e6 reached ≈ 1e16 with exit 0 before.
DIVERGED_LOSS = 1e4


def _guard(
    losses: dict[str, Tensor],
    step: int,
    desc: str,
    last_saved: int | None,
    config: CycleGANConfig,
) -> None:
    """Raise :class:`NonFiniteLossError` before a NaN/inf or diverged loss updates the weights.

    One device sync per call, as before: the largest magnitude of all terms decides.
    """
    named = {
        k: v.detach() for k, v in losses.items() if k.startswith(("loss", "cycle", "identity"))
    }
    worst = float(torch.stack([v.float() for v in named.values()]).abs().max())
    if math.isfinite(worst) and worst <= DIVERGED_LOSS:
        return
    bad = ", ".join(
        f"{k}={float(v):.3g}"
        for k, v in named.items()
        if not math.isfinite(float(v)) or abs(float(v)) > DIVERGED_LOSS
    )
    kept = (
        f"the last good checkpoint (step {last_saved}) is kept"
        if last_saved is not None
        else "no checkpoint was saved yet (set checkpoint_every > 0 to keep progress)"
    )
    raise NonFiniteLossError(
        f"CycleGAN '{desc}': loss diverged (non-finite or above {DIVERGED_LOSS:g}) at step "
        f"{step + 1}: {bad}; nothing was saved as a model, {kept}. Lower "
        f"cyclegan.training.learning_rate (now {config.learning_rate:g}) and start the run "
        "afresh, since a checkpoint only resumes with the settings it was made with: kedro run "
        "--pipelines train_cyclegan_per_class --params "
        f"cyclegan.training.learning_rate={config.learning_rate / 10:g},cyclegan.resume=false. "
        "Also check the inputs are scaled to [-1, 1]."
    )


def _cpu_state(module: nn.Module) -> dict[str, Tensor]:
    return {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}

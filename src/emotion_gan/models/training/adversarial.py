"""What every adversarial trainer shares: settings, the step loop, the loss guard and resuming.

Why one module: the project has two generator families — one CycleGAN per target class
(:mod:`emotion_gan.models.cyclegan`) and one conditional generator for all of them
(:mod:`emotion_gan.models.conditional`). A comparison of the two must compare networks and
objectives, not bookkeeping, so both run through the same machinery: the lr schedule
(constant, then linear decay), the seeded draw of batches, a tqdm bar, the loss history (with
the training seconds so far, to compare families at equal wall time), checkpoints that hold
everything a resumed run needs to reproduce an uninterrupted one on the CPU, a fingerprint that
refuses to resume another run's checkpoint, and a guard that stops training *before* the
optimiser applies a NaN/inf or diverged loss.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Protocol

import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

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

#: A loss term above this is diverged, not merely high: LSGAN terms of a working run stay near
#: 0.1–1, cross-entropies below 10 and the L1 terms below 2 (faces in [-1, 1]); lr 1e6 reached
#: ≈ 1e16 with exit 0 before the guard existed.
DIVERGED_LOSS = 1e4


@dataclass(frozen=True)
class AdversarialConfig:
    """Settings every adversarial run has (defaults: the reference CycleGAN recipe, paper §3.2).

    Attributes:
        steps: number of training steps.
        batch_size: samples per domain (CycleGAN) or faces (conditional GAN) per step.
        learning_rate: Adam learning rate of the generator and the discriminator optimisers.
        betas: Adam betas (β₁ = 0.5 in the paper and in StarGAN).
        decay_start_fraction: fraction of ``steps`` at constant lr before the linear decay to 0.
        checkpoint_every: save a checkpoint every this many steps and at the end (0 = never).
        seed: seeds batch sampling, augmentation and any other random draw of the loop (not the
            initial weights: those are the caller's).
        device: ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``, ``"cuda:1"``...
        log_every: record the losses every this many steps (and at the last step).
        autocast_bf16_on_cpu: bfloat16 autocast on a CPU with native bf16 (see
            ``models.training.runtime``); on CUDA mixed precision is always used.
    """

    steps: int
    batch_size: int = 1
    learning_rate: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    decay_start_fraction: float = 0.5
    checkpoint_every: int = 0
    seed: int = 0
    device: str = "auto"
    log_every: int = 1
    autocast_bf16_on_cpu: bool = False

    #: Fields a checkpoint must share with the run that resumes it: they fix the lr schedule,
    #: the random stream and the objective. Subclasses add their objective's weights.
    RESUME_FIELDS: ClassVar[tuple[str, ...]] = (
        "steps",
        "batch_size",
        "learning_rate",
        "betas",
        "decay_start_fraction",
        "seed",
        "autocast_bf16_on_cpu",
    )

    def __post_init__(self) -> None:
        check_field_types(self)
        bad = [name for name, ok in self.checks().items() if not ok]
        if bad:
            values = ", ".join(f"{name}={getattr(self, name)!r}" for name in bad)
            raise ValueError(
                f"invalid {type(self).__name__}: {values} (steps, batch_size, log_every >= 1; "
                "learning_rate > 0; fractions in [0, 1]; the rest >= 0)"
            )
        object.__setattr__(self, "betas", tuple(float(b) for b in self.betas))

    def checks(self) -> dict[str, bool]:
        """``field → is its value valid``; subclasses extend it with their own fields."""
        return {
            "steps": self.steps >= 1,
            "batch_size": self.batch_size >= 1,
            "learning_rate": self.learning_rate > 0,
            "decay_start_fraction": 0.0 <= self.decay_start_fraction <= 1.0,
            "checkpoint_every": self.checkpoint_every >= 0,
            "log_every": self.log_every >= 1,
        }

    def lr_factor(self, step: int) -> float:
        """Multiplier of ``learning_rate`` at 0-based ``step``: 1, then linearly towards 0.

        Like the reference ``linear`` policy, the last step still uses a small positive rate.
        """
        decay_start = int(self.steps * self.decay_start_fraction)
        decay_steps = self.steps - decay_start
        if step < decay_start or decay_steps == 0:
            return 1.0
        return 1.0 - (step - decay_start) / decay_steps


@dataclass(frozen=True)
class RunLabel:
    """Who is training, for log lines and for errors that say what to re-run.

    ``kind`` e.g. ``"CycleGAN"``; ``desc`` the run (``"neutral→disgust"``); ``params`` the
    top-level parameter block (``"cyclegan"``) and ``pipeline`` the Kedro pipeline that trains it.
    """

    kind: str
    desc: str
    params: str
    pipeline: str

    def __str__(self) -> str:
        return f"{self.kind} '{self.desc}'"


class ResumableRun(Protocol):
    """The state of one run that the loop drives and a checkpoint holds."""

    modules: dict[str, nn.Module]
    history: list[dict[str, float]]
    start: int  # 0-based step the loop starts at (the resumed checkpoint's step)
    last_saved: int | None  # newest checkpoint written or resumed, for error messages
    seconds: float  # training wall time up to ``start`` (NaN: a checkpoint that lacked it)

    def checkpoint(self) -> dict[str, Any]:
        """Everything that determines the rest of the run (CPU copies of the weights)."""
        ...


@dataclass
class GANRunState:
    """Everything that determines the rest of a run of one G and one D optimiser: exactly what
    a checkpoint holds. Trainers with more state (the CycleGAN's history pools) extend it."""

    modules: dict[str, nn.Module]
    optimizer_g: torch.optim.Optimizer
    optimizer_d: torch.optim.Optimizer
    scaler: torch.amp.GradScaler
    rng: torch.Generator
    fingerprint: dict[str, Any]
    history: list[dict[str, float]] = field(default_factory=list)
    start: int = 0  # 0-based step the loop starts at (the resumed checkpoint's step)
    last_saved: int | None = None  # newest checkpoint written or resumed, for error messages
    seconds: float = 0.0  # training wall time so far

    def checkpoint(self) -> dict[str, Any]:
        """The state to save (CPU copies of the weights; the rest as ``state_dict``s)."""
        return {
            "fingerprint": self.fingerprint,
            "networks": {n: cpu_state(m) for n, m in self.modules.items()},
            "optimizer_g": self.optimizer_g.state_dict(),
            "optimizer_d": self.optimizer_d.state_dict(),
            "scaler": self.scaler.state_dict(),
            "rng": self.rng.get_state(),
            "history": self.history,
            "seconds": self.seconds,
        }

    def restore(self, step: int, state: dict[str, Any], device: torch.device) -> None:
        """Continue from the checkpoint of ``step`` (its fingerprint already checked)."""
        for name, module in self.modules.items():
            module.load_state_dict(state["networks"][name])
        self.optimizer_g.load_state_dict(state["optimizer_g"])
        self.optimizer_d.load_state_dict(state["optimizer_d"])
        self.scaler.load_state_dict(state["scaler"])
        self.rng.set_state(state["rng"])
        self.history = list(state["history"])
        self.seconds = float(state.get("seconds", math.nan))  # older checkpoints lack it
        self.start = self.last_saved = step


def start_run(
    modules: dict[str, nn.Module],
    sides: tuple[Iterable[nn.Module], Iterable[nn.Module]],
    config: AdversarialConfig,
    data: dict[str, Tensor],
    checkpoints: CheckpointStore | None,
    label: RunLabel,
    state: type[GANRunState] = GANRunState,
    **extra: Any,
) -> tuple[GANRunState, MixedPrecision]:
    """Modules on the device in train mode, one Adam per side (generators, discriminators), the
    seeded random stream and the precision policy — resumed from a checkpoint if possible.

    ``state`` is the run-state class (with ``extra`` fields, e.g. the CycleGAN's pools). The
    fingerprint is taken before resuming, so it describes the initial weights.
    """
    device = resolve_device(config.device)
    for module in modules.values():
        module.to(device).train()
    precision = mixed_precision(device, bf16_on_cpu=config.autocast_bf16_on_cpu)
    adam = {"lr": config.learning_rate, "betas": config.betas, "device": device}
    run = state(
        modules=modules,
        optimizer_g=fused_adam(parameters(sides[0]), **adam),
        optimizer_d=fused_adam(parameters(sides[1]), **adam),
        scaler=precision.grad_scaler(),
        rng=torch.Generator().manual_seed(config.seed),
        fingerprint=fingerprint(config, modules, data),
        **extra,
    )
    resumed = resume_if_possible(checkpoints, run.fingerprint, label)
    if resumed is not None:
        run.restore(*resumed, device=device)
    return run, precision


def run_steps(
    run: ResumableRun,
    train_step: Callable[[int], tuple[float, dict[str, Tensor]]],
    config: AdversarialConfig,
    checkpoints: CheckpointStore | None,
    label: RunLabel,
    shown: tuple[str, ...],
) -> list[dict[str, float]]:
    """Call ``train_step(step)`` from ``run.start`` to ``config.steps``; log, show, checkpoint.

    ``train_step`` returns ``(lr, losses)``; the scalar losses are logged every ``log_every``
    steps with ``step`` (1-based), ``lr`` and ``seconds`` (``run.seconds``: training wall time
    so far, kept in the checkpoints so it continues across a resume; checkpoint writing
    excluded), and the ``shown`` ones on the bar. The modules are left on the CPU in eval mode.
    """
    with tqdm(
        total=config.steps,
        initial=run.start,
        desc=str(label.desc),
        dynamic_ncols=True,
        mininterval=1.0,  # long runs log to files: ~1 refresh per second is plenty
    ) as bar:
        for step in range(run.start, config.steps):
            started = time.perf_counter()
            lr, losses = train_step(step)
            done = step + 1
            if done % config.log_every == 0 or done == config.steps:
                record = {"step": done, "lr": lr}
                record.update({k: float(v.detach()) for k, v in losses.items() if _is_scalar(k, v)})
                run.seconds += time.perf_counter() - started  # the losses' sync included
                record["seconds"] = run.seconds
                run.history.append(record)
                bar.set_postfix({k: f"{record[k]:.3f}" for k in shown}, refresh=False)
            else:
                run.seconds += time.perf_counter() - started
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


def _is_scalar(name: str, value: Tensor) -> bool:
    """A loss to log or guard: a 0-d tensor other than the weighted total."""
    return isinstance(value, Tensor) and value.ndim == 0 and name != "total"


def guard(
    losses: dict[str, Tensor],
    step: int,
    label: RunLabel,
    last_saved: int | None,
    config: AdversarialConfig,
) -> None:
    """Raise :class:`NonFiniteLossError` before a NaN/inf or diverged loss updates the weights.

    One device sync per call: the largest magnitude of all scalar terms decides.
    """
    named = {k: v.detach() for k, v in losses.items() if _is_scalar(k, v)}
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
    rate = f"{label.params}.training.learning_rate"
    raise NonFiniteLossError(
        f"{label}: loss diverged (non-finite or above {DIVERGED_LOSS:g}) at step "
        f"{step + 1}: {bad}; nothing was saved as a model, {kept}. Lower {rate} (now "
        f"{config.learning_rate:g}) and start the run afresh, since a checkpoint only resumes "
        f"with the settings it was made with: kedro run --pipelines {label.pipeline} --params "
        f"{rate}={config.learning_rate / 10:g},{label.params}.resume=false. Also check the "
        "inputs are scaled to [-1, 1]."
    )


def set_learning_rate(optimizers: Iterable[torch.optim.Optimizer], lr: float) -> None:
    """The scheduled rate of this step for every parameter group."""
    for optimizer in optimizers:
        for group in optimizer.param_groups:
            group["lr"] = lr


def apply_update(
    optimizer: torch.optim.Optimizer, loss: Tensor, scaler: torch.amp.GradScaler
) -> None:
    """Zero the gradients, back-propagate ``loss`` (scaled for fp16) and step ``optimizer``."""
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(optimizer)


def requires_grad(modules: Iterable[nn.Module], flag: bool) -> None:
    """Freeze (``False``) or unfreeze the parameters of ``modules``."""
    for module in modules:
        for p in module.parameters():
            p.requires_grad_(flag)


def parameters(modules: Iterable[nn.Module]) -> list[nn.Parameter]:
    """Every parameter of ``modules``, for one optimiser over all of them."""
    return [p for module in modules for p in module.parameters()]


def has_batch_norm(modules: Iterable[nn.Module]) -> bool:
    """Whether a layer computes statistics across the batch: then calls must not be merged."""
    return any(
        isinstance(layer, nn.modules.batchnorm._BatchNorm)
        for module in modules
        for layer in module.modules()
    )


def draw(samples: Tensor, batch_size: int, rng: torch.Generator, augment: Augment | None) -> Tensor:
    """A batch drawn uniformly with replacement (unaligned pairs, as CycleGAN needs)."""
    batch = samples[torch.randint(len(samples), (batch_size,), generator=rng)]
    return augment(batch, rng) if augment is not None else batch


def cpu_state(module: nn.Module) -> dict[str, Tensor]:
    """A CPU copy of ``module``'s state, safe from later in-place updates."""
    return {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}


def check_samples(samples: dict[str, Tensor]) -> None:
    """Float, non-empty, finite samples (``{"reference": …}``), with one per-sample shape."""
    for name, tensor in samples.items():
        if not isinstance(tensor, Tensor) or not tensor.is_floating_point():
            raise ValueError(f"{name} samples must be a float tensor (N, ...), got {tensor!r:.80}")
        if len(tensor) == 0:
            raise ValueError(f"{name} domain has no samples: training needs every domain")
        finite = torch.isfinite(tensor.reshape(len(tensor), -1)).all(dim=1)
        if not bool(finite.all()):
            rows = torch.nonzero(~finite).flatten()[:5].tolist()
            raise ValueError(f"{name} samples contain NaN/inf (rows {rows}); clean the input")
    shapes = {name: tuple(tensor.shape[1:]) for name, tensor in samples.items()}
    if len(set(shapes.values())) > 1:
        described = " but ".join(f"{name} samples have shape {s}" for name, s in shapes.items())
        raise ValueError(f"{described}; every domain must have the same per-sample shape")


def fingerprint(
    config: AdversarialConfig, modules: dict[str, nn.Module], data: dict[str, Tensor]
) -> dict[str, Any]:
    """What a checkpoint must match to be resumed: settings, architectures and the data.

    Architectures are included so a changed network gives a clear error rather than a raw
    ``load_state_dict`` size mismatch; a digest of the initial weights so that a run started
    from other weights (another ``architecture.seed``) never continues this one's checkpoint.
    ``data`` is summarised by shape and sum per name (``reference_shape``, ``reference_sum``…).
    """
    settings = {k: v for k, v in asdict(config).items() if k in config.RESUME_FIELDS}
    settings["betas"] = list(settings["betas"])
    summary: dict[str, Any] = {}
    for name, tensor in data.items():
        summary[f"{name}_shape"] = list(tensor.shape)
        summary[f"{name}_sum"] = float(tensor.double().sum())
    return {
        **settings,
        "architectures": {
            name: dict(getattr(module, "config", {"class": type(module).__name__}))
            for name, module in modules.items()
        },
        "initial_weights": weights_digest(modules),
        **summary,
    }


def weights_digest(modules: dict[str, nn.Module]) -> str:
    """sha256 of every parameter and buffer, in a fixed order (exact, ≈ 0.1 s at paper size)."""
    digest = hashlib.sha256()
    for name, module in sorted(modules.items()):
        for key, value in module.state_dict().items():
            digest.update(f"{name}.{key}".encode())
            digest.update(value.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def check_fingerprint(saved: Any, current: dict[str, Any], label: RunLabel, where: str) -> None:
    """Raise ``ValueError`` naming the differing fields unless ``saved`` equals ``current``.

    ``where`` describes the checkpoint store (e.g. its folder), so the user knows what to clear.
    """
    if saved == current:
        return
    saved = saved if isinstance(saved, dict) else {}
    differing = sorted(k for k in current if saved.get(k) != current[k])
    raise ValueError(
        f"{label}: the checkpoint to resume was made with different settings or data "
        f"({', '.join(differing)} differ); resuming would not reproduce a run. Start afresh: "
        f"--params {label.params}.resume=false, or delete {where or 'the checkpoint directory'}."
    )


def resume_if_possible(
    checkpoints: CheckpointStore | None,
    current: dict[str, Any],
    label: RunLabel,
) -> tuple[int, dict[str, Any]] | None:
    """The newest checkpoint of this very run ``(step, state)``, or ``None`` to start afresh.

    Raises ``ValueError`` (see :func:`check_fingerprint`) for another run's checkpoint.
    """
    resumed = checkpoints.latest() if checkpoints is not None else None
    if resumed is None:
        return None
    step, state = resumed
    check_fingerprint(state.get("fingerprint"), current, label, repr(checkpoints))
    logger.info("%s: resuming from step %d (%r)", label, step, checkpoints)
    return step, state

"""When may a CycleGAN checkpoint be resumed: the fingerprint of the run that wrote it.

Why: a resumed run must reproduce the uninterrupted one, so a checkpoint may only continue a run
with the same settings that fix the lr schedule, the random stream and the objective, the same
architectures, the same initial weights and the same data. Anything else is refused with the
list of what differs, instead of silently training a hybrid.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from torch import Tensor, nn

if TYPE_CHECKING:
    from emotion_gan.models.cyclegan.trainer import CycleGANConfig

#: Config fields a checkpoint must share with the run that resumes it: they fix the lr schedule,
#: the random stream and the objective, so resuming across a change would not reproduce anything.
RESUME_FIELDS = (
    "steps",
    "batch_size",
    "learning_rate",
    "betas",
    "cycle_loss_weight",
    "identity_loss_weight",
    "decay_start_fraction",
    "history_pool_size",
    "seed",
    "autocast_bf16_on_cpu",
)


def fingerprint(
    config: CycleGANConfig, modules: dict[str, nn.Module], reference: Tensor, target: Tensor
) -> dict[str, Any]:
    """What a checkpoint must match to be resumed: settings, architectures and the data.

    Architectures are included so a changed network gives this clear error rather than a raw
    ``load_state_dict`` size mismatch; a digest of the initial weights so that a run started
    from other weights (another ``architecture.seed``) never continues this one's checkpoint —
    finished runs keep their last checkpoint until the catalog has saved the models.
    """
    settings = {k: v for k, v in asdict(config).items() if k in RESUME_FIELDS}
    settings["betas"] = list(settings["betas"])
    return {
        **settings,
        "architectures": {
            name: dict(getattr(module, "config", {"class": type(module).__name__}))
            for name, module in modules.items()
        },
        "initial_weights": weights_digest(modules),
        "reference_shape": list(reference.shape),
        "target_shape": list(target.shape),
        "reference_sum": float(reference.double().sum()),
        "target_sum": float(target.double().sum()),
    }


def weights_digest(modules: dict[str, nn.Module]) -> str:
    """sha256 of every parameter and buffer, in a fixed order (exact, ≈ 0.1 s at paper size)."""
    digest = hashlib.sha256()
    for name, module in sorted(modules.items()):
        for key, value in module.state_dict().items():
            digest.update(f"{name}.{key}".encode())
            digest.update(value.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def check_fingerprint(saved: Any, current: dict[str, Any], desc: str, where: str = "") -> None:
    """Raise ``ValueError`` naming the differing fields unless ``saved`` equals ``current``.

    ``where`` describes the checkpoint store (e.g. its folder), so the user knows what to clear.
    """
    if saved == current:
        return
    saved = saved if isinstance(saved, dict) else {}
    differing = sorted(k for k in current if saved.get(k) != current[k])
    raise ValueError(
        f"CycleGAN '{desc}': the checkpoint to resume was made with different settings or data "
        f"({', '.join(differing)} differ); resuming would not reproduce a run. Start afresh: "
        "--params cyclegan.resume=false, or delete "
        f"{where or 'the checkpoint directory'}."
    )

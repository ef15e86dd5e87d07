"""Training loop: moves weights, resumes exactly, stops on NaN, merged calls are exact."""

from __future__ import annotations

import pytest
import torch
from torch import Tensor, nn

from emotion_gan.models.cyclegan.networks import CycleGANNetworks, build_cyclegan
from emotion_gan.models.cyclegan.trainer import CycleGANConfig, _TrainingStep, train_cyclegan
from emotion_gan.models.training.checkpoints import InMemoryCheckpointStore
from emotion_gan.models.training.runtime import MixedPrecision, NonFiniteLossError
from tests.models.training.loop_helpers import Interrupt, jitter, without_seconds

HISTORY_KEYS = {"step", "lr", "seconds", "loss_g", "loss_f", "cycle", "identity"} | {
    "loss_d_r",
    "loss_d_t",
}


def point_networks(seed: int = 0) -> CycleGANNetworks:
    """Tiny MLPs on 2-D points, as the toy experiment of §4.1 uses."""
    torch.manual_seed(seed)

    def mlp(out: int) -> nn.Module:
        return nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, out))

    return CycleGANNetworks(mlp(2), mlp(2), mlp(1), mlp(1))


def tiny_image_networks(seed: int = 0) -> CycleGANNetworks:
    return build_cyclegan(ngf=4, n_blocks=1, ndf=4, n_layers=1, seed=seed)


def images(n: int, seed: int) -> Tensor:
    return torch.rand(n, 1, 8, 8, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def state(networks: CycleGANNetworks) -> dict[str, Tensor]:
    return {
        f"{name}.{key}": value
        for name, module in networks.as_dict().items()
        for key, value in module.state_dict().items()
    }


def test_training_moves_weights_and_logs_every_step() -> None:
    networks = point_networks()
    before = {k: v.clone() for k, v in state(networks).items()}
    reference, target = torch.randn(20, 2), torch.randn(5, 2) + 3
    config = CycleGANConfig(steps=4, batch_size=2, history_pool_size=3, device="cpu")

    history = train_cyclegan(networks, reference, target, config)

    assert [row["step"] for row in history] == [1, 2, 3, 4]
    assert all(set(row) == HISTORY_KEYS for row in history)
    after = state(networks)
    assert all(not torch.equal(before[k], after[k]) for k in before)
    assert not any(m.training for m in networks.as_dict().values())


def test_learning_rate_is_constant_then_decays_linearly() -> None:
    config = CycleGANConfig(steps=4, log_every=1, device="cpu")
    history = train_cyclegan(point_networks(), torch.randn(4, 2), torch.randn(4, 2), config)
    assert [row["lr"] for row in history] == pytest.approx([2e-4, 2e-4, 2e-4, 1e-4])
    assert CycleGANConfig(steps=10, decay_start_fraction=0.0).lr_factor(9) == pytest.approx(0.1)


def test_resumed_run_equals_uninterrupted_run() -> None:
    reference, target = images(6, 1), images(3, 2)
    config = CycleGANConfig(steps=6, checkpoint_every=2, history_pool_size=2, seed=3, device="cpu")

    uninterrupted = tiny_image_networks()
    full_history = train_cyclegan(uninterrupted, reference, target, config, augment=jitter())

    store = InMemoryCheckpointStore()
    with pytest.raises(Interrupt):  # dies during step 5 (two draws per step)
        train_cyclegan(
            tiny_image_networks(), reference, target, config, augment=jitter(8), checkpoints=store
        )
    assert store.latest()[0] == 4
    # A fresh copy of the same start: only the store can carry it from step 4 to the same end.
    resumed = tiny_image_networks()
    history = train_cyclegan(
        resumed, reference, target, config, augment=jitter(), checkpoints=store
    )

    assert without_seconds(history) == without_seconds(full_history)
    seconds = [row["seconds"] for row in history]  # wall time, continued across the resume
    assert seconds == sorted(seconds) and seconds[0] > 0
    expected, actual = state(uninterrupted), state(resumed)
    assert all(torch.equal(expected[k], actual[k]) for k in expected)


def test_resume_refuses_a_checkpoint_from_other_settings() -> None:
    reference, target = torch.randn(4, 2), torch.randn(4, 2)
    store = InMemoryCheckpointStore()
    config = CycleGANConfig(steps=2, checkpoint_every=1, device="cpu")
    train_cyclegan(point_networks(), reference, target, config, checkpoints=store)
    other = CycleGANConfig(steps=2, checkpoint_every=1, seed=1, device="cpu")
    with pytest.raises(ValueError, match="seed"):
        train_cyclegan(point_networks(), reference, target, other, checkpoints=store)


def test_resume_refuses_a_checkpoint_of_another_architecture() -> None:
    reference, target = images(4, seed=1), images(4, seed=2)
    store = InMemoryCheckpointStore()
    config = CycleGANConfig(steps=2, checkpoint_every=1, device="cpu", identity_loss_weight=0)
    train_cyclegan(tiny_image_networks(), reference, target, config, checkpoints=store)
    wider = build_cyclegan(ngf=8, n_blocks=1, ndf=4, n_layers=1)
    with pytest.raises(ValueError, match=r"\(architectures, initial_weights differ\)"):
        train_cyclegan(wider, reference, target, config, checkpoints=store)


def test_resume_refuses_a_checkpoint_that_started_from_other_weights() -> None:
    """A finished run's last checkpoint must not stand in for a run from another init seed."""
    reference, target = images(4, seed=1), images(4, seed=2)
    store = InMemoryCheckpointStore()
    config = CycleGANConfig(steps=2, checkpoint_every=1, device="cpu")
    train_cyclegan(tiny_image_networks(seed=0), reference, target, config, checkpoints=store)
    with pytest.raises(ValueError, match=r"\(initial_weights differ\)"):
        train_cyclegan(tiny_image_networks(seed=1), reference, target, config, checkpoints=store)
    again = train_cyclegan(tiny_image_networks(), reference, target, config, checkpoints=store)
    assert [row["step"] for row in again] == [1, 2]  # resumed at the end: nothing retrained


class Poisonable(nn.Module):
    """Wraps a generator; emits NaN once ``poisoned`` is set (a diverged network)."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.poisoned = False

    def forward(self, x: Tensor) -> Tensor:
        out = self.inner(x)
        return out * float("nan") if self.poisoned else out


def test_nan_guard_stops_and_keeps_last_good_checkpoint() -> None:
    networks = point_networks()
    poisonable = Poisonable(networks.generator_g)
    networks.generator_g = poisonable
    draws = 0

    def poison_at_step_4(batch: Tensor, generator: torch.Generator) -> Tensor:
        nonlocal draws
        draws += 1
        poisonable.poisoned = draws > 6
        return batch

    store = InMemoryCheckpointStore()
    config = CycleGANConfig(steps=8, checkpoint_every=2, device="cpu")
    with pytest.raises(NonFiniteLossError, match=r"step 4: .*loss_g=nan.*checkpoint \(step 2\)"):
        train_cyclegan(
            networks,
            torch.randn(4, 2),
            torch.randn(4, 2),
            config,
            augment=poison_at_step_4,
            checkpoints=store,
            progress_desc="disgust",
        )
    step, saved = store.latest()
    assert step == 2
    assert all(torch.isfinite(v).all() for v in saved["networks"]["G"].values())


def test_bad_inputs_are_named() -> None:
    config = CycleGANConfig(steps=1, device="cpu")
    with pytest.raises(ValueError, match="target domain has no samples"):
        train_cyclegan(point_networks(), torch.randn(3, 2), torch.empty(0, 2), config)
    bad = torch.randn(3, 2)
    bad[1, 0] = float("nan")
    with pytest.raises(ValueError, match=r"reference samples contain NaN/inf \(rows \[1\]\)"):
        train_cyclegan(point_networks(), bad, torch.randn(3, 2), config)
    with pytest.raises(ValueError, match="steps=0"):
        CycleGANConfig(steps=0)


def test_merged_forward_passes_equal_separate_ones() -> None:
    networks = tiny_image_networks()
    config = CycleGANConfig(steps=1)
    real_r, real_t = images(2, 5), images(2, 6)
    fp32 = MixedPrecision(torch.device("cpu"), None)
    merged = _TrainingStep(networks, config, fp32, merge=True)
    separate = _TrainingStep(networks, config, fp32, merge=False)

    a, b = merged.generators(real_r, real_t), separate.generators(real_r, real_t)
    for key in ("loss_g", "loss_f", "cycle", "identity", "fake_t", "fake_r"):
        torch.testing.assert_close(a[key], b[key])
    fakes = (a["fake_r"].detach(), a["fake_t"].detach())
    da, db = (
        merged.discriminators(real_r, real_t, *fakes),
        separate.discriminators(real_r, real_t, *fakes),
    )
    torch.testing.assert_close(da, db)


def test_cuda_without_cuda_is_a_clear_error() -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    config = CycleGANConfig(steps=1, device="cuda")
    with pytest.raises(ValueError, match="'cuda' requested but CUDA is not available"):
        train_cyclegan(point_networks(), torch.randn(3, 2), torch.randn(3, 2), config)


def test_a_diverging_run_stops_with_the_parameter_to_change() -> None:
    """lr 1e6 blew the losses up to ~1e16 and ended with exit 0 before the guard covered it."""
    config = CycleGANConfig(steps=30, learning_rate=1e6, device="cpu", identity_loss_weight=0)
    with pytest.raises(NonFiniteLossError, match=r"diverged .*learning_rate=100000,"):
        train_cyclegan(
            tiny_image_networks(), images(4, 0), images(4, 1), config, progress_desc="sad"
        )


def test_a_refused_resume_names_the_folder_and_the_switch(tmp_path, caplog) -> None:
    from emotion_gan.datasets.checkpoint_dir import DirectoryCheckpointStore

    reference, target = torch.randn(4, 2), torch.randn(4, 2)
    store = DirectoryCheckpointStore(tmp_path / "disgust")
    config = CycleGANConfig(steps=2, checkpoint_every=1, device="cpu")
    train_cyclegan(point_networks(), reference, target, config, checkpoints=store)
    with caplog.at_level("INFO"):  # the same run again: picks up its last checkpoint
        train_cyclegan(point_networks(), reference, target, config, checkpoints=store)
    assert "resuming from step 2 (the checkpoint folder" in caplog.text
    other = CycleGANConfig(steps=2, checkpoint_every=1, seed=1, device="cpu")
    with pytest.raises(ValueError, match=rf"cyclegan.resume=false, or delete the checkpoint "
                                         rf"folder {tmp_path / 'disgust'}"):  # fmt: skip
        train_cyclegan(point_networks(), reference, target, other, checkpoints=store)

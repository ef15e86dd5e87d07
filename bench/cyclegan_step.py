"""Speed of one CycleGAN training step: plain eager fp32 vs the project's, in the same run.

Paper-size networks by default (Table 4–5: ngf 64, 6 residual blocks, ndf 64; batch 1; 48×48).
The reference step is the reference CycleGAN written the obvious way: six generator calls and
four discriminator calls of one image each, fp32, default Adam. It draws the same batches, the
same augmentations and the same history-pool choices as the project's
:func:`~emotion_gan.models.cyclegan.trainer.train_cyclegan` (same seeded generator, same order),
and starts from the same weights, so the two loss curves must agree: the first step to within
bf16 rounding, the mean losses of a short run to within a few per cent.

The project's step is timed through ``train_cyclegan`` itself (bf16 autocast on the CPU,
merged forward passes, fused Adam). Timings jitter on a shared machine, so the two are timed
in interleaved chunks and the best chunk of each is compared.
Last line: ``cyclegan_step: <project s/step> s, <ratio>x vs eager fp32``.

    .venv/bin/python bench/cyclegan_step.py                  # ~2 min on 2 idle cores
    .venv/bin/python bench/cyclegan_step.py --conf-base      # conf/base size (see below)

``--conf-base`` reads the sizes from ``conf/base/parameters_train_cyclegan_per_class.yml``
(today ngf 16, 2 blocks, ndf 32, 2 layers, batch 4), so the bench cannot drift from the run.
"""

from __future__ import annotations

import os

os.environ.setdefault("TQDM_DISABLE", "1")  # before tqdm is imported: no progress bars here

import argparse
import copy
import time
from pathlib import Path

import numpy as np
import torch
import yaml

from emotion_gan.models.cyclegan.history_pool import HistoryPool
from emotion_gan.models.cyclegan.losses import (
    cycle_consistency_loss,
    identity_loss,
    lsgan_discriminator_loss,
    lsgan_generator_loss,
    total_generator_loss,
)
from emotion_gan.models.cyclegan.networks import CycleGANNetworks, ResnetBlock, build_cyclegan
from emotion_gan.models.cyclegan.trainer import CycleGANConfig, train_cyclegan
from emotion_gan.models.training.augment import random_pad_crop_flip
from emotion_gan.sources.synthetic_faces import synthetic_face_dataset
from emotion_gan.vocabulary import label_of

LOSSES = ("loss_g", "loss_f", "cycle", "identity", "loss_d_r", "loss_d_t")
CONF_BASE = (
    Path(__file__).resolve().parents[1] / "conf/base/parameters_train_cyclegan_per_class.yml"
)


class ReferenceTrainer:
    """The reference CycleGAN step in plain eager fp32, on the project's random stream."""

    def __init__(
        self, networks: CycleGANNetworks, reference: torch.Tensor, target: torch.Tensor, config
    ) -> None:
        self.net, self.reference, self.target, self.config = networks, reference, target, config
        for module in networks.as_dict().values():
            module.train()
        g_params = [*networks.generator_g.parameters(), *networks.generator_f.parameters()]
        d_params = [*networks.discriminator_r.parameters(), *networks.discriminator_t.parameters()]
        self.opt_g = torch.optim.Adam(g_params, lr=config.learning_rate, betas=config.betas)
        self.opt_d = torch.optim.Adam(d_params, lr=config.learning_rate, betas=config.betas)
        self.rng = torch.Generator().manual_seed(config.seed)
        self.pool_r = HistoryPool(config.history_pool_size)
        self.pool_t = HistoryPool(config.history_pool_size)
        self.step_index = 0

    def _draw(self, samples: torch.Tensor) -> torch.Tensor:
        batch = samples[torch.randint(len(samples), (self.config.batch_size,), generator=self.rng)]
        return random_pad_crop_flip(batch, self.rng)

    def step(self) -> dict[str, float]:
        net, cfg = self.net, self.config
        lr = cfg.learning_rate * cfg.lr_factor(self.step_index)
        for opt in (self.opt_g, self.opt_d):
            for group in opt.param_groups:
                group["lr"] = lr
        real_r, real_t = self._draw(self.reference), self._draw(self.target)
        discriminators = (net.discriminator_r, net.discriminator_t)
        for p in (p for d in discriminators for p in d.parameters()):
            p.requires_grad_(False)
        fake_t, fake_r = net.generator_g(real_r), net.generator_f(real_t)
        rec_r, rec_t = net.generator_f(fake_t), net.generator_g(fake_r)
        idt_t, idt_r = net.generator_g(real_t), net.generator_f(real_r)
        loss_g = lsgan_generator_loss(net.discriminator_t(fake_t))
        loss_f = lsgan_generator_loss(net.discriminator_r(fake_r))
        cycle = cycle_consistency_loss(real_r, rec_r, real_t, rec_t)
        identity = identity_loss(real_r, idt_r, real_t, idt_t)
        total = total_generator_loss(
            loss_g, loss_f, cycle, identity, cfg.cycle_loss_weight, cfg.identity_loss_weight
        )
        self.opt_g.zero_grad()
        total.backward()
        self.opt_g.step()
        for p in (p for d in discriminators for p in d.parameters()):
            p.requires_grad_(True)
        pooled_r = self.pool_r.query(fake_r, self.rng)
        pooled_t = self.pool_t.query(fake_t, self.rng)
        d_r, d_t = net.discriminator_r, net.discriminator_t
        loss_d_r = lsgan_discriminator_loss(d_r(real_r), d_r(pooled_r))
        loss_d_t = lsgan_discriminator_loss(d_t(real_t), d_t(pooled_t))
        self.opt_d.zero_grad()
        (loss_d_r + loss_d_t).backward()
        self.opt_d.step()
        self.step_index += 1
        values = (loss_g, loss_f, cycle, identity, loss_d_r, loss_d_t)
        return {name: float(v.detach()) for name, v in zip(LOSSES, values, strict=True)}


def conv_macs(module: torch.nn.Module, shape: tuple[int, ...]) -> dict[str, int]:
    """Multiply-accumulates of one forward pass per convolution, keyed by module name."""
    macs: dict[str, int] = {}
    hooks = []
    for name, layer in module.named_modules():
        if isinstance(layer, torch.nn.Conv2d | torch.nn.ConvTranspose2d):

            def count(layer, inputs, output, name=name) -> None:
                spatial = (inputs if isinstance(layer, torch.nn.ConvTranspose2d) else output)[0]
                positions = spatial.shape[0] * spatial.shape[-1] * spatial.shape[-2]
                macs[name] = positions * layer.weight.numel() // layer.groups

            hooks.append(layer.register_forward_hook(count))
    with torch.no_grad():
        module(torch.zeros(shape))
    for hook in hooks:
        hook.remove()
    return macs


def residual_trunk_times(args: argparse.Namespace, rounds: int) -> tuple[float, float, float]:
    """Time of the residual trunks alone per step, eager vs project, and their share of MACs.

    The trunk (the residual blocks at 12×12, ``4·ngf`` channels) holds most of the arithmetic.
    Per step G and F each run it on 3 batches in the eager step (fp32); in the project on
    merged batches 2 and 1 times as large (G) and 3 times (F) under bf16 autocast — the calls
    of the two trainers — forward, then one backward. Subtracted from the whole steps, they
    show where the rest of the time goes (48×48 and 24×24 layers, discriminators, Adam).

    Returns ``(eager s/step, project s/step, trunk share of the step's multiply-accumulates)``.
    """
    networks = networks_of(args)
    trunks = [
        torch.nn.Sequential(*(m for m in generator.model if isinstance(m, ResnetBlock)))
        for generator in (networks.generator_g, networks.generator_f)
    ]
    channels = 4 * args.ngf
    images = {n: torch.randn(n * args.batch, channels, 12, 12) for n in (1, 2, 3)}

    def eager() -> None:
        sum(trunk(images[1]).square().mean() for trunk in trunks for _ in range(3)).backward()

    def project() -> None:
        g, f = trunks
        with torch.autocast("cpu", dtype=torch.bfloat16):
            outputs = (g(images[2]), f(images[3]), g(images[1]))
        sum(out.float().square().mean() for out in outputs).backward()

    best = {"eager": float("inf"), "project": float("inf")}
    for round_index in range(rounds + 1):
        for name, fn in (("eager", eager), ("project", project)):
            start = time.perf_counter()
            fn()
            if round_index:  # round 0 warms up
                best[name] = min(best[name], time.perf_counter() - start)
    g_macs = conv_macs(networks.generator_g, (1, 1, 48, 48))
    d_macs = conv_macs(networks.discriminator_t, (1, 1, 48, 48))
    prefixes = _trunk_names(networks)
    trunk = sum(m for name, m in g_macs.items() if name.startswith(prefixes))
    # Per step: 6 generator passes and 6 discriminator passes of one image (+ their backward).
    return best["eager"], best["project"], trunk / (sum(g_macs.values()) + sum(d_macs.values()))


def _trunk_names(networks: CycleGANNetworks) -> tuple[str, ...]:
    return tuple(
        f"model.{index}."
        for index, module in enumerate(networks.generator_g.model)
        if isinstance(module, ResnetBlock)
    )


def conf_base_size() -> dict[str, int]:
    """Network sizes and batch of the conf/base CycleGANs, read from their parameters file."""
    cyclegan = yaml.safe_load(CONF_BASE.read_text(encoding="utf-8"))["cyclegan"]
    architecture = cyclegan["architecture"]
    return {
        "ngf": architecture["ngf"],
        "blocks": architecture["n_blocks"],
        "ndf": architecture["ndf"],
        "layers": architecture["n_layers"],
        "batch": cyclegan["training"]["batch_size"],
    }


def networks_of(args: argparse.Namespace) -> CycleGANNetworks:
    """The bench's initial networks (seed 0) at the requested size."""
    return build_cyclegan(
        ngf=args.ngf, n_blocks=args.blocks, ndf=args.ndf, n_layers=args.layers, seed=0
    )


def faces(count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Neutral (reference) and disgust (target) faces of the embedded synthetic source."""
    images, labels = synthetic_face_dataset(count, seed=2018)
    scaled = torch.as_tensor(images).float().unsqueeze(1) / 127.5 - 1.0
    return scaled[labels == label_of("neutral")], scaled[labels == label_of("disgust")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ngf", type=int, default=64)
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--ndf", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2, help="PatchGAN stride-2 layers")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument(
        "--conf-base",
        action="store_true",
        help=f"use the sizes in {CONF_BASE.name} (override --ngf/--blocks/--ndf/--layers/--batch)",
    )
    parser.add_argument("--compare-steps", type=int, default=30)
    parser.add_argument("--chunk", type=int, default=5, help="steps per timed chunk")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    if args.conf_base:
        vars(args).update(conf_base_size())

    reference, target = faces(2000)
    initial = networks_of(args)

    def config(steps: int) -> CycleGANConfig:
        return CycleGANConfig(
            steps=steps, batch_size=args.batch, autocast_bf16_on_cpu=True, device="cpu"
        )

    # 1. Same run, both ways: the losses must agree.
    n = args.compare_steps
    eager = ReferenceTrainer(copy.deepcopy(initial), reference, target, config(n))
    eager_history = [eager.step() for _ in range(n)]
    project_history = train_cyclegan(
        copy.deepcopy(initial), reference, target, config(n), augment=random_pad_crop_flip
    )
    header = ("loss", "eager step 1", "project step 1", "eager mean", "project mean")
    print("{:10s} {:>13s} {:>15s} {:>11s} {:>13s}".format(*header))
    worst_first, worst_mean = 0.0, 0.0
    for name in LOSSES:
        e0, p0 = eager_history[0][name], project_history[0][name]
        e_mean = float(np.mean([row[name] for row in eager_history]))
        p_mean = float(np.mean([row[name] for row in project_history]))
        worst_first = max(worst_first, abs(e0 - p0) / abs(e0))
        worst_mean = max(worst_mean, abs(e_mean - p_mean) / abs(e_mean))
        print(f"{name:10s} {e0:13.4f} {p0:15.4f} {e_mean:11.4f} {p_mean:13.4f}")
    print(f"largest relative difference: step 1 {worst_first:.1%}, {n}-step mean {worst_mean:.1%}")

    # 2. Interleaved timing chunks (after one warm-up chunk each).
    eager = ReferenceTrainer(copy.deepcopy(initial), reference, target, config(10**6))
    project = copy.deepcopy(initial)
    times: dict[str, list[float]] = {"eager": [], "project": []}
    for round_index in range(args.rounds + 1):
        start = time.perf_counter()
        for _ in range(args.chunk):
            eager.step()
        eager_time = (time.perf_counter() - start) / args.chunk
        start = time.perf_counter()
        train_cyclegan(project, reference, target, config(args.chunk), augment=random_pad_crop_flip)
        project_time = (time.perf_counter() - start) / args.chunk
        if round_index:  # round 0 warms up kernels and allocators
            times["eager"].append(eager_time)
            times["project"].append(project_time)
    best_eager, best_project = min(times["eager"]), min(times["project"])
    size = (
        f"ngf {args.ngf}, {args.blocks} blocks, ndf {args.ndf}, {args.layers} layers, "
        f"batch {args.batch}" + (" (conf/base)" if args.conf_base else "")
    )
    print(
        f"{size}: eager fp32 {best_eager:.3f} s/step, project {best_project:.3f} s/step "
        f"(best of {args.rounds} chunks of {args.chunk}; {torch.get_num_threads()} threads)"
    )
    ok = worst_first < 0.05 and worst_mean < 0.10
    print(f"losses comparable: {'yes' if ok else 'NO'}")
    if args.blocks:
        eager_trunk, project_trunk, share = residual_trunk_times(args, 3 * args.rounds)
        eager_rest, project_rest = best_eager - eager_trunk, best_project - project_trunk
        print(
            f"where the time goes: residual trunks ({share:.0%} of the multiply-accumulates) "
            f"eager {eager_trunk:.3f} s, project {project_trunk:.3f} s "
            f"({eager_trunk / project_trunk:.2f}x); everything else ({1 - share:.0%}) eager "
            f"{eager_rest:.3f} s, project {project_rest:.3f} s ({eager_rest / project_rest:.2f}x)"
        )
    print(f"cyclegan_step: {best_project:.3f} s, {best_eager / best_project:.2f}x vs eager fp32")


if __name__ == "__main__":
    main()

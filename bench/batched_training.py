"""Many small classifiers in one call (``torch.func`` + ``vmap``) vs one model at a time.

Issue 16 asks whether the seeds of one variant should train as one batched computation. This
bench trains ``--models`` copies of the Table 3 CNN (each from its own seed, on its own batch
order) two ways, side by side in one run:

* **one at a time** — the project's path: one module, one fused Adam per model, step after step;
* **batched** — ``torch.func.stack_module_state`` stacks the models' weights, ``vmap`` over
  ``functional_call`` computes every model's loss in one call (PyTorch turns the batched
  convolutions into grouped ones), one fused Adam updates the stacked weights. Adam acts
  elementwise and each model's loss depends only on its own weights, so both paths compute the
  same thing: the bench checks that the weights agree after 3 steps (fp32, to rounding) before
  it reports a speed.

Both are timed in interleaved chunks and the best chunk of each is compared (a shared machine
jitters). Sizes: the conf/base demo CNN (widths 16/32, fc 64), the embedded study's (32/64,
128) and a tiny one (4/8, 16) where per-call overhead, not arithmetic, dominates.

Last line: ``batched_training: <models/s>, <ratio>x vs one at a time`` (conf/base size).

    .venv/bin/python bench/batched_training.py          # ~2 min on 2 idle cores
"""

from __future__ import annotations

import argparse
import copy
import time

import torch
import torch.nn.functional as F
from torch.func import functional_call, stack_module_state, vmap

from emotion_gan.models.classifier import EmotionCNN, build_classifier

LEARNING_RATE = 1e-3  # the paper's

SIZES = {
    "conf/base (16/32, fc 64)": {"conv_channels": [16, 32], "fc_width": 64},
    "embedded_study (32/64, fc 128)": {"conv_channels": [32, 64], "fc_width": 128},
    "tiny (4/8, fc 16)": {"conv_channels": [4, 8], "fc_width": 16},
}


def batches(models: int, steps: int, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(steps, models, B, 1, 48, 48)`` pixels and ``(steps, models, B)`` labels: every model
    its own images, drawn from its own seeded stream."""
    images, labels = [], []
    for seed in range(models):
        generator = torch.Generator().manual_seed(1000 + seed)
        images.append(torch.randint(0, 256, (steps, batch_size, 1, 48, 48), generator=generator))
        labels.append(torch.randint(0, 7, (steps, batch_size), generator=generator))
    return torch.stack(images, 1).float(), torch.stack(labels, 1)


class OneAtATime:
    """The project's path: each model its own module and fused Adam."""

    def __init__(self, models: list[EmotionCNN]) -> None:
        self.models = [m.to(memory_format=torch.channels_last).train() for m in models]
        self.optimisers = [
            torch.optim.Adam(m.parameters(), lr=LEARNING_RATE, betas=(0.5, 0.999), fused=True)
            for m in self.models
        ]

    def step(self, images: torch.Tensor, labels: torch.Tensor) -> None:
        for model, optimiser, x, y in zip(
            self.models, self.optimisers, images, labels, strict=True
        ):
            loss = F.cross_entropy(model(x.contiguous(memory_format=torch.channels_last)), y)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()

    def weights(self) -> list[dict[str, torch.Tensor]]:
        return [dict(m.named_parameters()) for m in self.models]


class Batched:
    """Every model in one ``vmap`` call over stacked weights; one fused Adam for all of them."""

    def __init__(self, models: list[EmotionCNN]) -> None:
        params, self.buffers = stack_module_state(models)
        self.params = {k: v.detach().requires_grad_() for k, v in params.items()}
        self.skeleton = copy.deepcopy(models[0]).to("meta")
        self.optimiser = torch.optim.Adam(
            list(self.params.values()), lr=LEARNING_RATE, betas=(0.5, 0.999), fused=True
        )

        def loss(params, buffers, x, y):  # one model's loss; vmap maps it over the models
            return F.cross_entropy(functional_call(self.skeleton, (params, buffers), (x,)), y)

        self.losses = vmap(loss)

    def step(self, images: torch.Tensor, labels: torch.Tensor) -> None:
        # Summing the per-model losses gives each model exactly its own gradient.
        total = self.losses(self.params, self.buffers, images, labels).sum()
        self.optimiser.zero_grad(set_to_none=True)
        total.backward()
        self.optimiser.step()

    def weights(self) -> list[dict[str, torch.Tensor]]:
        count = next(iter(self.params.values())).shape[0]
        return [{k: v[i] for k, v in self.params.items()} for i in range(count)]


def largest_weight_gap(a: list[dict], b: list[dict]) -> float:
    return max(
        float((wa[k] - wb[k]).detach().abs().max()) for wa, wb in zip(a, b, strict=True) for k in wa
    )


def same_training(architecture: dict, models: int, batch_size: int, steps: int = 3) -> float:
    """Largest weight difference between the two paths after ``steps`` steps from the same
    initial weights on the same batches. Few steps: Adam divides by √v, so where a gradient is
    ~0 a rounding difference becomes a full learning-rate step, and honest fp32 differences
    grow to ~1e-2 within 30 steps — the check is that both compute the same update."""
    one = OneAtATime([build_classifier(s, **architecture) for s in range(models)])
    batched = Batched([build_classifier(s, **architecture) for s in range(models)])
    images, labels = batches(models, steps, batch_size)
    for i in range(steps):
        one.step(images[i], labels[i])
        batched.step(images[i], labels[i])
    return largest_weight_gap(one.weights(), batched.weights())


def compare(architecture: dict, models: int, steps: int, chunks: int, batch_size: int) -> dict:
    """Best chunk time per step of each path, timed in interleaved chunks."""
    one = OneAtATime([build_classifier(s, **architecture) for s in range(models)])
    batched = Batched([build_classifier(s, **architecture) for s in range(models)])
    images, labels = batches(models, steps * chunks + 1, batch_size)
    one.step(images[0], labels[0])  # warm-up (oneDNN primitive caches), same step for both
    batched.step(images[0], labels[0])
    best = {"one": float("inf"), "batched": float("inf")}
    for chunk in range(chunks):
        span = range(1 + chunk * steps, 1 + (chunk + 1) * steps)
        for name, path in (("one", one), ("batched", batched)):
            start = time.perf_counter()
            for i in span:
                path.step(images[i], labels[i])
            best[name] = min(best[name], (time.perf_counter() - start) / steps)
    return {
        "one_s_per_step": best["one"],
        "batched_s_per_step": best["batched"],
        "ratio": best["one"] / best["batched"],
        "models_per_s": models / best["batched"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=3, help="models trained together (seeds)")
    parser.add_argument("--steps", type=int, default=10, help="steps per timed chunk")
    parser.add_argument("--chunks", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    torch.manual_seed(0)
    results = {}
    for name, architecture in SIZES.items():
        gap = same_training(architecture, args.models, args.batch_size)
        if gap > LEARNING_RATE:  # Adam's first steps move each weight by ~lr, whatever |g|
            raise SystemExit(f"{name}: the batched path trains different weights ({gap:.1e})")
        r = compare(architecture, args.models, args.steps, args.chunks, args.batch_size)
        results[name] = r
        print(
            f"{name}: one at a time {1e3 * r['one_s_per_step']:.1f} ms per step of "
            f"{args.models} models, batched {1e3 * r['batched_s_per_step']:.1f} ms "
            f"({r['ratio']:.2f}x); weights after 3 steps agree to {gap:.1e}"
        )
    base = results["conf/base (16/32, fc 64)"]
    print(
        f"batched_training: {base['models_per_s']:.1f} model-steps/s, "
        f"{base['ratio']:.2f}x vs one at a time"
    )


if __name__ == "__main__":
    main()

"""Six per-class CycleGAN generators in one call (``torch.func`` + ``vmap``) vs one at a time.

Issue 16 asks whether the six generators of one architecture should run as one grouped network.
The generators' forward + backward is most of a CycleGAN step (G and F; the discriminators are
smaller), so this bench times exactly that at conf/base's size (ngf 16, 2 residual blocks,
instance norm, batch 4 per class), two ways, in interleaved chunks of one run:

* **one at a time** — the project's path: each class's ``ResnetGenerator`` on its own batch;
* **batched** — ``stack_module_state`` stacks the six generators' weights and ``vmap`` over
  ``functional_call`` runs them in one call (PyTorch turns the convolutions into grouped ones).

Before timing, it checks that both give the same outputs and weight gradients (fp32, to
rounding). The optimiser is left out: Adam is elementwise and costs the same either way.

Last line: ``batched_generators: <ratio>x vs one at a time`` (per-generator throughput).

    .venv/bin/python bench/batched_generators.py
"""

from __future__ import annotations

import argparse
import time

import torch
from torch.func import functional_call, grad, stack_module_state, vmap

from emotion_gan.models.cyclegan.networks import build_cyclegan


def _loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return (output - target).abs().mean()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=6)
    parser.add_argument("--ngf", type=int, default=16)
    parser.add_argument("--blocks", type=int, default=2)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--chunks", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10, help="steps per timed chunk")
    args = parser.parse_args()
    generators = [
        build_cyclegan(ngf=args.ngf, n_blocks=args.blocks, seed=s).generator_g
        for s in range(args.models)
    ]
    inputs = torch.rand(args.models, args.batch, 1, 48, 48) * 2 - 1
    targets = torch.rand_like(inputs) * 2 - 1
    params, buffers = stack_module_state(generators)
    base = generators[0]

    def one_loss(p, b, x, y):
        return _loss(functional_call(base, (p, b), (x,)), y)

    batched_grad = vmap(grad(one_loss))

    def one_at_a_time() -> list[dict[str, torch.Tensor]]:
        grads = []
        for g, x, y in zip(generators, inputs, targets, strict=True):
            g.zero_grad(set_to_none=True)
            _loss(g(x), y).backward()
            grads.append({n: p.grad for n, p in g.named_parameters()})
        return grads

    # Same gradients both ways before any speed is shown.
    separate = one_at_a_time()
    with torch.no_grad():
        together = batched_grad(params, buffers, inputs, targets)
    # Relative to the model's largest gradient: paper-size sums over many pixels round
    # differently, and a conv bias before instance norm has a gradient of (nearly) zero.
    worst = max(
        max(float((together[n][i] - separate[i][n]).abs().max()) for n in together)
        / max(float(g.abs().max()) for g in separate[i].values())
        for i in range(args.models)
    )
    print(f"largest relative gradient difference, batched vs separate: {worst:.2e}")
    if worst > 1e-4:
        raise SystemExit("batched and separate gradients differ: no speed reported")

    best = {"one at a time": float("inf"), "batched": float("inf")}
    runs = {
        "one at a time": one_at_a_time,
        "batched": lambda: batched_grad(params, buffers, inputs, targets),
    }
    for _ in range(args.chunks):
        for name, run in runs.items():
            start = time.perf_counter()
            for _ in range(args.steps):
                run()
            best[name] = min(best[name], (time.perf_counter() - start) / args.steps)
    for name, seconds in best.items():
        print(f"{name:14s}: {seconds * 1e3:7.1f} ms for {args.models} generators' fwd + bwd")
    ratio = best["one at a time"] / best["batched"]
    print(
        f"threads {torch.get_num_threads()}; size ngf {args.ngf}, {args.blocks} blocks, "
        f"batch {args.batch}"
    )
    print(f"batched_generators: {ratio:.2f}x vs one at a time")


if __name__ == "__main__":
    main()

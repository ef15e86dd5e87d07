"""What a busy neighbour costs: one training alone vs two side by side, per OpenMP wait policy.

Issue 16 measured the embedded CycleGAN at 0.1 s/step alone and 10.4 s/step beside one other
CPU-heavy torch process on these 2 cores: OpenMP worker threads that finish their share of an
op spin-wait at the barrier for a sibling that the OS has descheduled, burning the very core that
sibling needs. This bench runs the same small training (the embedded study's classifier, 2 torch
threads) alone and then as two processes at once, under three settings of ``OMP_WAIT_POLICY``:
unset (libgomp's default: spin a while, then sleep), ``ACTIVE`` (spin) and ``PASSIVE`` (sleep at
once, what ``emotion_gan/__init__.py`` sets unless the user set it). Each worker imports torch
before emotion_gan, so the policy under test is the one OpenMP starts with.

    .venv/bin/python bench/busy_neighbour.py            # ~2 min on 2 otherwise idle cores

Last line: ``busy_neighbour: two side by side cost <x>x (PASSIVE) vs <y>x (unset)``; the
target is ≤ 2.5x for two jobs on two cores (each then has half the machine: 2x is fair share).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

POLICIES = ("unset", "ACTIVE", "PASSIVE")


def worker(steps: int) -> None:
    import numpy as np
    import torch  # first: OpenMP reads OMP_WAIT_POLICY when torch loads it

    from emotion_gan.models.classifier import TrainingSettings, build_classifier
    from emotion_gan.models.classifier.training import train_classifier

    torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (1600, 48, 48)).astype(np.uint8)
    labels = rng.integers(0, 7, 1600)
    model = build_classifier(0, conv_channels=[32, 64], fc_width=128)
    start = time.perf_counter()
    train_classifier(model, images, labels, TrainingSettings(steps=steps, precision="fp32",
                                                             log_every=steps), seed=0)  # fmt: skip
    print(time.perf_counter() - start, flush=True)


def _run(policy: str, copies: int, steps: int) -> float:
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    if policy != "unset":
        env["OMP_WAIT_POLICY"] = policy
    command = [sys.executable, __file__, "--worker", "--steps", str(steps)]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(copies)
    ]
    return max(float(p.communicate()[0].strip().splitlines()[-1]) for p in processes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    if args.worker:
        worker(args.steps)
        return
    cost = {}
    for policy in POLICIES:
        alone = _run(policy, 1, args.steps)
        pair = _run(policy, 2, args.steps)
        cost[policy] = pair / alone
        print(f"OMP_WAIT_POLICY={policy:8s} alone {alone:6.1f} s  two side by side "
              f"{pair:6.1f} s  → {cost[policy]:.2f}x", flush=True)  # fmt: skip
    print(
        f"busy_neighbour: two side by side cost {cost['PASSIVE']:.2f}x (PASSIVE) vs "
        f"{cost['unset']:.2f}x (unset), {cost['ACTIVE']:.2f}x (ACTIVE)"
    )


if __name__ == "__main__":
    main()

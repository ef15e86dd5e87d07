"""Speed of one classifier training step: plain eager fp32 vs the project's, in the same run.

The reference is Table 3's CNN written the obvious way (``nn.LocalResponseNorm``, ReLU before
pooling, NCHW, fp32, default Adam), started from the *same* initial weights as the project's
:class:`~emotion_gan.models.classifier.EmotionCNN`. The project's step is timed through
:func:`~emotion_gan.models.classifier.train_classifier` itself, so batch assembly counts too.

Checks that the speed-up keeps results: both models start from the same weights and train on
the same batch order of a learnable synthetic task. In fp32 the project's step must follow the
reference step by step (the restructuring is exact); in bf16 the trajectories drift apart, so
the late loss levels must be comparable. Inference (bf16, batch 256) must give the same
predictions as eager fp32 with the same weights on (almost) every image.

Timings jitter on a shared machine, so the two steps are timed in interleaved chunks and the
best chunk of each is compared. Last line: ``cnn_step: <steps/s>, <ratio>x vs eager fp32``.

    .venv/bin/python bench/cnn_step.py            # ~1 min on 2 idle cores
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from emotion_gan.models.classifier import (
    LRN_ALPHA,
    LRN_BETA,
    LRN_K,
    LRN_SIZE,
    EmotionCNN,
    TrainingSettings,
    build_classifier,
    predict,
    train_classifier,
)


def reference_cnn(project: EmotionCNN) -> nn.Module:
    """Table 3 in plain PyTorch, with the project's initial weights copied in."""
    c1, c2 = project.config["conv_channels"]
    width = project.config["fc_width"]

    def lrn() -> nn.Module:
        return nn.LocalResponseNorm(LRN_SIZE, alpha=LRN_ALPHA, beta=LRN_BETA, k=LRN_K)

    ref = nn.Sequential(
        nn.Conv2d(1, c1, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(3, 2, padding=1),
        lrn(),
        nn.Conv2d(c1, c2, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(3, 2, padding=1),
        lrn(),
        nn.Flatten(),
        nn.Linear(project.fc1.in_features, width),
        nn.ReLU(),
        nn.Linear(width, width),
        nn.ReLU(),
        nn.Linear(width, project.config["num_classes"]),
    )
    pairs = [(0, "conv1"), (4, "conv2"), (9, "fc1"), (11, "fc2"), (13, "logits")]
    with torch.no_grad():
        for index, name in pairs:
            ref[index].weight.copy_(getattr(project, name).weight)
            ref[index].bias.copy_(getattr(project, name).bias)
    return ref


class ReferenceTrainer:
    """Eager fp32 training with the project's batch order (shuffled epochs from ``seed``)."""

    def __init__(self, model: nn.Module, images: np.ndarray, labels: np.ndarray, seed: int):
        self.model = model.train()
        self.data = torch.as_tensor(images).unsqueeze(1).float() * (2.0 / 255.0) - 1.0
        self.targets = torch.as_tensor(labels)
        self.optimiser = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.999))
        self.generator = torch.Generator().manual_seed(seed)
        self.order = torch.empty(0, dtype=torch.long)

    def step(self, batch_size: int = 32) -> float:
        if len(self.order) < batch_size:  # same refill rule as the project's sampler
            fresh = torch.randperm(len(self.data), generator=self.generator)
            self.order = torch.cat([self.order, fresh])
        idx, self.order = self.order[:batch_size], self.order[batch_size:]
        loss = F.cross_entropy(self.model(self.data[idx]), self.targets[idx])
        self.optimiser.zero_grad()
        loss.backward()
        self.optimiser.step()
        return float(loss.detach())


def learnable_task(n: int, sample_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seven faint, coarse class templates (fixed) under heavy noise drawn from ``sample_seed``."""
    coarse = np.random.default_rng(0).uniform(112, 144, (7, 6, 6))
    templates = np.kron(coarse, np.ones((8, 8)))
    rng = np.random.default_rng(sample_seed)
    labels = rng.integers(0, 7, n)
    images = templates[labels] + rng.normal(0, 100, (n, 48, 48))
    return np.clip(images, 0, 255).astype(np.uint8), labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare-steps", type=int, default=150)
    parser.add_argument("--chunk", type=int, default=10, help="steps per timed chunk")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds")
    args = parser.parse_args()
    images, labels = learnable_task(2048, sample_seed=0)
    test_images, _ = learnable_task(2048, sample_seed=1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch 32")

    # 1a. The restructured model and loop are exact: in fp32, the project's step (ChannelLRN,
    #     pool-then-ReLU, channels-last, fused Adam) follows the eager reference step by step.
    exact = build_classifier(seed=0)
    ref = ReferenceTrainer(reference_cnn(exact), images, labels, seed=0)
    fp32 = TrainingSettings(steps=8, log_every=1, precision="fp32")
    exact_losses = train_classifier(exact, images, labels, fp32, seed=0).loss
    ref_losses = [ref.step() for _ in range(8)]
    exact_gap = max(abs(a - b) for a, b in zip(ref_losses, exact_losses, strict=True))
    print(f"fp32, steps 1-8, same init and batches: largest loss difference {exact_gap:.5f}")

    # 1b. bf16 changes the numbers (Adam's first updates amplify rounding), so the two
    #     trajectories drift apart; what must agree is the loss level after training.
    project = build_classifier(seed=0)
    ref = ReferenceTrainer(reference_cnn(project), images, labels, seed=0)
    settings = TrainingSettings(steps=args.compare_steps, log_every=1)
    start = time.perf_counter()
    history = train_classifier(project, images, labels, settings, seed=0)
    project_s = time.perf_counter() - start
    start = time.perf_counter()
    ref_losses = [ref.step() for _ in range(args.compare_steps)]
    ref_s = time.perf_counter() - start
    tail = max(1, args.compare_steps // 5)
    ref_tail, project_tail = np.mean(ref_losses[-tail:]), np.mean(history.loss[-tail:])
    print(
        f"{args.compare_steps} steps ({ref_s:.1f} s eager fp32, {project_s:.1f} s project bf16): "
        f"mean loss of the last {tail} steps {ref_tail:.4f} eager fp32, {project_tail:.4f} project"
    )
    if exact_gap > 0.01 or abs(ref_tail - project_tail) > 0.05 + 0.25 * ref_tail:
        raise SystemExit("the fast path changed results: the loss curves are not comparable")

    # 2. Inference: bf16 at batch 256 vs eager fp32, same trained weights.
    ref_model = reference_cnn(project).eval()
    with torch.no_grad():
        data = torch.as_tensor(test_images).unsqueeze(1).float() * (2.0 / 255.0) - 1.0
        start = time.perf_counter()
        ref_pred = torch.cat([ref_model(b).argmax(1) for b in data.split(256)]).numpy()
        ref_ips = len(data) / (time.perf_counter() - start)
    predict(project, test_images[:256])  # warm-up
    start = time.perf_counter()
    fast_pred = predict(project, test_images)
    fast_ips = len(test_images) / (time.perf_counter() - start)
    agree = float(np.mean(ref_pred == fast_pred))
    print(
        f"inference: eager fp32 {ref_ips:.0f} img/s, project bf16 {fast_ips:.0f} img/s "
        f"({fast_ips / ref_ips:.2f}x), same prediction on {agree:.2%} of images"
    )

    # 3. Step speed, interleaved chunks; best chunk of each.
    ref_times, fast_times = [], []
    chunk_settings = TrainingSettings(steps=args.chunk, log_every=args.chunk)
    fast_model = build_classifier(seed=1)
    train_classifier(fast_model, images, labels, chunk_settings, seed=1)  # warm-up
    ref.step()
    for round_ in range(args.rounds):
        start = time.perf_counter()
        for _ in range(args.chunk):
            ref.step()
        ref_times.append((time.perf_counter() - start) / args.chunk)
        start = time.perf_counter()
        train_classifier(fast_model, images, labels, chunk_settings, seed=round_)
        fast_times.append((time.perf_counter() - start) / args.chunk)
    ref_best, fast_best = min(ref_times), min(fast_times)
    print(
        f"step: eager fp32 {ref_best * 1e3:.1f} ms (median {np.median(ref_times) * 1e3:.1f}), "
        f"project {fast_best * 1e3:.1f} ms (median {np.median(fast_times) * 1e3:.1f})"
    )
    print(f"cnn_step: {1 / fast_best:.1f} steps/s, {ref_best / fast_best:.2f}x vs eager fp32")


if __name__ == "__main__":
    main()

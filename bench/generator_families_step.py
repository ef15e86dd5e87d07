"""Seconds per training step of both generator families, side by side, and the equal-time budget.

The comparison of issue 13 is at **equal training wall time**: six CycleGANs (one per target
class) against one conditional generator. This bench times a step of each family with the
architecture and batch size of an env (conf/base, or conf/<env> merged over it as Kedro merges
parameters), through the real trainers (``train_cyclegan`` / ``train_conditional_gan``; their
history's ``seconds`` column), interleaved in chunks on the same synthetic faces so machine
noise hits both alike. Last line::

    generator_families_step: cyclegan <s> s/step, conditional <s> s/step, equal-time steps <n>

where ``<n>`` = 6 × the env's CycleGAN steps × (CycleGAN s/step ÷ conditional s/step): the
``conditional_gan.training.steps`` that gives the conditional generator the six CycleGANs'
budget.

    .venv/bin/python bench/generator_families_step.py                 # conf/base
    .venv/bin/python bench/generator_families_step.py --env fer2013_cpu
"""

from __future__ import annotations

import os

os.environ.setdefault("TQDM_DISABLE", "1")  # before tqdm is imported: no progress bars here

import argparse
import statistics
from pathlib import Path
from typing import Any

import torch
import yaml
from omegaconf import OmegaConf

from emotion_gan.models.conditional.networks import build_conditional_gan
from emotion_gan.models.conditional.trainer import ConditionalGANConfig, train_conditional_gan
from emotion_gan.models.cyclegan.networks import build_cyclegan
from emotion_gan.models.cyclegan.trainer import CycleGANConfig, train_cyclegan
from emotion_gan.models.cyclegan.translate import faces_to_tensor
from emotion_gan.sources.synthetic_faces import synthetic_face_dataset
from emotion_gan.vocabulary import NUM_CLASSES, TARGET_CLASSES, label_of

CONF = Path(__file__).resolve().parents[1] / "conf"
FILES = ("parameters_train_cyclegan_per_class.yml", "parameters_train_conditional_gan.yml")


def parameters(env: str | None) -> dict[str, Any]:
    """conf/base's two generator parameter files, with conf/<env>'s merged over them."""
    merged = OmegaConf.create({})
    for folder in ["base", *([env] if env else [])]:
        for name in FILES:
            path = CONF / folder / name
            if path.exists():
                merged = OmegaConf.merge(merged, yaml.safe_load(path.read_text()))
    return OmegaConf.to_container(merged)


def _settings(block: dict[str, Any], steps: int) -> dict[str, Any]:
    training = {**block["training"], "steps": steps, "checkpoint_every": 0, "log_every": steps}
    return {**training, "device": "cpu"}


def time_cyclegan(block: dict[str, Any], faces: torch.Tensor, labels: torch.Tensor, steps: int):
    reference = faces[labels == label_of("neutral")]
    target = faces[labels == label_of("disgust")]
    networks = build_cyclegan(**block["architecture"])
    history = train_cyclegan(networks, reference, target, CycleGANConfig(**_settings(block, steps)))
    return history[-1]["seconds"] / steps


def time_conditional(block: dict[str, Any], faces: torch.Tensor, labels: torch.Tensor, steps: int):
    networks = build_conditional_gan(num_domains=NUM_CLASSES, **block["architecture"])
    config = ConditionalGANConfig(**_settings(block, steps))
    history = train_conditional_gan(networks, faces, labels, config)
    return history[-1]["seconds"] / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--env", default=None, help="conf/<env> merged over conf/base")
    parser.add_argument("--steps", type=int, default=40, help="steps per timed chunk")
    parser.add_argument("--chunks", type=int, default=3, help="interleaved chunks per family")
    args = parser.parse_args()
    params = parameters(args.env)
    images, labels = synthetic_face_dataset(1400, seed=0)
    faces, labels = faces_to_tensor(images), torch.from_numpy(labels).long()
    cyclegan, conditional = [], []
    for _ in range(args.chunks):
        cyclegan.append(time_cyclegan(params["cyclegan"], faces, labels, args.steps))
        conditional.append(time_conditional(params["conditional_gan"], faces, labels, args.steps))
    t_cyc, t_cond = min(cyclegan), min(conditional)  # the best chunk: least disturbed
    budget_steps = len(TARGET_CLASSES) * params["cyclegan"]["training"]["steps"]
    equal = round(budget_steps * t_cyc / t_cond)
    ratio = statistics.median(cyclegan) / statistics.median(conditional)
    print(f"env {args.env or 'base'}: cyclegan chunks {[round(t, 4) for t in cyclegan]} s/step, "
          f"conditional chunks {[round(t, 4) for t in conditional]} s/step, "
          f"median ratio {ratio:.2f}")  # fmt: skip
    print(
        f"generator_families_step: cyclegan {t_cyc:.4f} s/step, conditional {t_cond:.4f} s/step,"
        f" equal-time steps {equal}"
    )


if __name__ == "__main__":
    main()

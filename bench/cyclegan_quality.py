"""Generator settings search, judged on the validation split: fidelity vs training time.

Each trial trains one CycleGAN (reference class → ``--target``) on ``train_sample`` exactly as
the ``train_cyclegan_per_class`` node does (same node function), with the env's ``cyclegan``
parameters overridden by the trial's. With ``--family conditional`` a trial instead trains the
one conditional generator of ``train_conditional_gan`` (its node function, the env's
``conditional_gan`` parameters overridden) and every point scores it for each ``--target``
given (it serves all of them; its minutes are one model's, against one CycleGAN's per class).
At ``--points`` moments of the run G translates every reference face of the sample (as
``generate_synthetic`` does), and the independent judge scores the result against the **judge
validation faces** of the target class — faces carved from the training data that neither the
judge nor any generator trained on. No test set is read, so the settings chosen from this
table are not tuned to the numbers the report later shows.

Per point: label fidelity, relative fidelity (÷ the judge's recall on those validation faces),
share still called the reference class, Fréchet distances in judge features (generated /
source line / floor, same ``n``), k-NN precision/recall, the share of near-copies of real
training faces, the median RMS pixel change from the source, and the
training seconds so far (evaluation time excluded).

    .venv/bin/python bench/cyclegan_quality.py --env fer2013_cpu --target disgust \
        --params fer2013_csv=/path/fer2013.csv.gz --trials bench/cyclegan_trials.yml \
        --out docs/cyclegan_search
    .venv/bin/python bench/cyclegan_quality.py --env fer2013_cpu --family conditional \
        --target disgust sad --params fer2013_csv=/path/fer2013.csv.gz \
        --trials bench/conditional_trials.yml --steps 6000

Needs ``kedro run --env <env> --pipelines ingest,sample_imbalanced,train_judge`` first.
``--rejudge`` scores every logged point again with the latest judge (G's weights of each point
are kept under ``data/bench_snapshots/``); ``--report`` only redraws the table and curve. Each
trial appends one JSON line per point to ``<out>/<env>_<target>.jsonl`` (rerunning skips
finished trials; conditional trials are logged as ``conditional/<name>`` in each target's
file), and the curve is redrawn to ``<out>/<env>_<target>_fidelity_vs_time.png``.
"""

from __future__ import annotations

import os

os.environ.setdefault("TQDM_DISABLE", "1")  # before tqdm is imported: no progress bars here

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from omegaconf import OmegaConf
from torch import nn

from emotion_gan.figures.style import new_figure
from emotion_gan.imageset import ImageSet
from emotion_gan.models.conditional.networks import TargetedGenerator, build_conditional_gan
from emotion_gan.models.cyclegan.networks import build_cyclegan
from emotion_gan.models.cyclegan.translate import translate_faces
from emotion_gan.models.training.checkpoints import InMemoryCheckpointStore
from emotion_gan.pipelines.generate_synthetic.nodes import judge_faces
from emotion_gan.pipelines.train_conditional_gan.nodes import train_conditional_generator
from emotion_gan.pipelines.train_cyclegan_per_class.nodes import (
    select_domain_faces,
    train_cyclegan_for_target_class,
)
from emotion_gan.stats.generation_quality import generation_quality
from emotion_gan.stats.judged_quality import Judged, judged_quality
from emotion_gan.vocabulary import NUM_CLASSES, label_of

ROOT = Path(__file__).resolve().parents[1]


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in key by key (as Kedro merges env parameters)."""
    return OmegaConf.to_container(OmegaConf.merge(base, override))


@dataclass(frozen=True)
class Family:
    """How one generator family is trained and turned into the G of one target class."""

    params_key: str  # its block in the parameters
    prefix: str  # of its trial names in the logs ("" for the CycleGANs)
    generator: Callable[[dict[str, Any], str, dict[str, Any]], nn.Module]  # settings, target, G
    train: Callable[[ImageSet, InMemoryCheckpointStore, dict[str, Any], list[str]], Any]


def _cyclegan_g(settings: dict[str, Any], target: str, g_state: dict[str, Any]) -> nn.Module:
    generator = build_cyclegan(**settings["architecture"]).generator_g
    generator.load_state_dict(g_state)
    return generator


def _conditional_g(settings: dict[str, Any], target: str, g_state: dict[str, Any]) -> nn.Module:
    networks = build_conditional_gan(num_domains=NUM_CLASSES, **settings["architecture"])
    networks.generator.load_state_dict(g_state)
    return TargetedGenerator(networks.generator, label_of(target))


FAMILIES = {
    "cyclegan": Family(
        "cyclegan", "", _cyclegan_g,
        lambda sample, store, settings, targets: train_cyclegan_for_target_class(
            sample, store, settings, targets[0]
        ),
    ),
    "conditional": Family(
        "conditional_gan", "conditional/", _conditional_g,
        lambda sample, store, settings, _targets: train_conditional_generator(
            sample, store, settings
        ),
    ),
}  # fmt: skip


class JudgingStore(InMemoryCheckpointStore):
    """A checkpoint store that judges G at every checkpoint, timing training separately.

    ``evaluators``: target class → ``evaluate(G state dict) -> metrics``; one row per target
    and point. G's weights at each point are kept in ``snapshots`` (under data/, never
    committed), so ``--rejudge`` can score the same generators again with a newer judge.
    """

    def __init__(self, evaluators, trial: str, snapshots: Path) -> None:
        super().__init__(keep=1)
        self.evaluators, self.trial, self.snapshots = evaluators, trial, snapshots
        self.started = time.perf_counter()
        self.evaluation_seconds = 0.0
        self.rows: list[dict[str, Any]] = []

    def save(self, step: int, state: dict[str, Any]) -> None:
        super().save(step, state)
        begin = time.perf_counter()
        training_seconds = begin - self.started - self.evaluation_seconds
        torch.save(state["networks"]["G"], snapshot_path(self.snapshots, self.trial, step))
        for target, evaluate in self.evaluators.items():
            row = {"trial": self.trial, "target": target, "step": step,
                   "train_seconds": round(training_seconds, 1)}  # fmt: skip
            row.update(evaluate(state["networks"]["G"]))
            self.rows.append(row)
            print(json.dumps(row), flush=True)
        self.evaluation_seconds += time.perf_counter() - begin


def snapshot_folder(env: str, trial: str, target: str) -> Path:
    """Where G's weights of a trial's points are kept: a CycleGAN's under its target class, a
    conditional G's (one for every target) under the family."""
    folder = f"{env}_conditional" if "/" in trial else f"{env}_{target}"
    return ROOT / "data" / "bench_snapshots" / folder


def snapshot_path(snapshots: Path, trial: str, step: int) -> Path:
    """One point's G weights in its :func:`snapshot_folder`."""
    return snapshots / f"{trial.replace('/', '_')}_{step}.pt"


def make_evaluator(
    family, settings, reference_class, target, train_sample, judge, validation, inference, quality
):
    """Return ``evaluate(G state dict) -> metrics`` of one target class."""
    sources, real_train = select_domain_faces(train_sample, reference_class, target)
    label, reference = label_of(target), label_of(reference_class)

    def judged(images: np.ndarray) -> Judged:
        return judge_faces(judge, images, inference)

    source_judged, floor_judged = judged(sources), judged(real_train)
    validation_judged = judged(validation.images[validation.labels == label])

    def evaluate(g_state: dict[str, Any]) -> dict[str, Any]:
        generator = family.generator(settings, target, g_state)
        faces, rows = translate_faces(generator, sources, len(sources), seed=0)
        scores = judged_quality(
            target=label,
            reference=reference,
            generated=judged(faces),
            source=Judged(source_judged.features[rows], source_judged.predictions[rows]),
            real_train_target=floor_judged,
            real_test_target=validation_judged,
            max_faces=quality["max_images"],
            k=int(quality.get("knn_k", 3)),
            seed=0,
        )
        pixels = generation_quality(
            faces, real_train, sources[rows], max_images=quality["max_images"], seed=0,
            source_is_input=np.ones(len(faces), bool),
        )  # fmt: skip
        fd, spread = scores["frechet_distance"], pixels["diversity"]
        return {
            "label_fidelity": scores["label_fidelity"],
            "relative_fidelity": scores["relative_fidelity"],
            "judge_recall_on_validation": scores["judge_recall_on_real_test"],
            "source_called_target": scores["source_called_target"],
            "still_reference_share": scores["still_reference_share"],
            "fd_generated": fd.get("generated"),
            "fd_source_line": fd.get("source_line"),
            "fd_floor": fd.get("floor"),
            "fd_ratio": fd.get("generated_over_source"),
            "knn": scores["knn_precision_recall"],
            "near_copy_fraction": pixels["memorisation"]["near_copy_fraction"],
            "source_change_median": (pixels.get("source_change") or {}).get("median"),
            "diversity_ratio": spread["generated_mean_pairwise"] / spread["real_mean_pairwise"],
        }

    return evaluate


def plot(rows: list[dict[str, Any]], target: str, path: Path) -> None:
    """Relative fidelity and FD ratio against training minutes, one line per trial."""
    figure = new_figure(9, 3.6)
    fidelity, movement = figure.subplots(1, 2)
    for trial in dict.fromkeys(r["trial"] for r in rows):
        points = [r for r in rows if r["trial"] == trial]
        minutes = [r["train_seconds"] / 60 for r in points]
        style = {"marker": "o", "label": trial, "ls": "--" if "/" in trial else "-"}
        fidelity.plot(minutes, [r["relative_fidelity"] or 0 for r in points], **style)
        movement.plot(minutes, [r["fd_ratio"] or np.nan for r in points], **style)
    fidelity.axhline(0.8, color="grey", ls="--", lw=0.8)
    movement.axhline(0.5, color="grey", ls="--", lw=0.8)
    axis_label = "training minutes (wall clock; see conditions)"
    fidelity.set(xlabel=axis_label, ylabel="relative fidelity",
                 title=f"{target}: judge calls it {target}")  # fmt: skip
    movement.set(xlabel=axis_label, ylabel="FD generated / FD source",
                 title=f"{target}: movement towards real {target}")  # fmt: skip
    fidelity.legend(fontsize=7)
    figure.savefig(path)


def table(rows: list[dict[str, Any]]) -> str:
    """Every judged point as a Markdown table (the docs' search table)."""

    def cell(value: Any, digits: int = 2) -> str:
        return "—" if value is None else f"{value:.{digits}f}"

    lines = [
        "| trial | step | train min | label fid. | sources called T | rel. fid. | still neutral "
        "| FD gen | FD source | FD floor | FD gen/src | k-NN P | k-NN R | near copies "
        "| median change | diversity |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        knn = r.get("knn") or {}
        lines.append(
            f"| {r['trial']} | {r['step']} | {r['train_seconds'] / 60:.1f} | "
            f"{cell(r['label_fidelity'])} | {cell(r.get('source_called_target'))} | "
            f"{cell(r['relative_fidelity'])} | "
            f"{cell(r['still_reference_share'])} | {cell(r['fd_generated'], 1)} | "
            f"{cell(r['fd_source_line'], 1)} | {cell(r['fd_floor'], 1)} | {cell(r['fd_ratio'])} | "
            f"{cell(knn.get('precision'))} | {cell(knn.get('recall'))} | "
            f"{cell(r['near_copy_fraction'])} | {cell(r['source_change_median'], 3)} | "
            f"{cell(r.get('diversity_ratio'))} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--env", default="base")
    parser.add_argument("--family", choices=sorted(FAMILIES), default="cyclegan")
    parser.add_argument(
        "--target", nargs="+", default=["disgust"], help="one (cyclegan) or several (conditional)"
    )
    parser.add_argument("--trials", type=Path, help="YAML: {name: overrides}")
    parser.add_argument(
        "--report", action="store_true", help="only redraw the table and curve from the log"
    )
    parser.add_argument(
        "--rejudge", action="store_true", help="score every logged point again (latest judge)"
    )
    parser.add_argument("--only", nargs="*", help="run only these trials")
    parser.add_argument("--points", type=int, default=4, help="judged moments per trial")
    parser.add_argument("--steps", type=int, help="training steps of every trial (else the env's)")
    parser.add_argument("--params", default="", help="runtime params, key=value,key=value")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "cyclegan_search")
    args = parser.parse_args()
    family = FAMILIES[args.family]
    if args.family == "cyclegan" and len(args.target) != 1:
        parser.error("a CycleGAN trial trains one target class: give one --target")

    logs = {t: args.out / f"{args.env}_{t}.jsonl" for t in args.target}
    rows = {t: _read_log(log) for t, log in logs.items()}

    def redraw(target: str) -> None:
        plot(rows[target], target, args.out / f"{args.env}_{target}_fidelity_vs_time.png")
        (args.out / f"{args.env}_{target}.md").write_text(table(rows[target]))

    if args.report:
        for target in args.target:
            redraw(target)
        return
    if args.trials is None and not args.rejudge:
        parser.error("--trials is required unless --report or --rejudge")
    runtime = dict(item.split("=", 1) for item in args.params.split(",") if item)
    bootstrap_project(ROOT)
    with KedroSession.create(project_path=ROOT, env=args.env, runtime_params=runtime) as session:
        context = session.load_context()
        catalog, params = context.catalog, context.params
        train_sample: ImageSet = catalog.load("train_sample")
        validation: ImageSet = catalog.load("judge_validation_faces")
        judge = catalog.load("judge")
    inference = params["judge"]["inference"]
    quality = params["generation"]["quality"]
    reference_class = params["cyclegan"]["reference_class"]  # both families translate from it

    def evaluator(family: Family, settings: dict[str, Any], target: str):
        return make_evaluator(
            family, settings, reference_class, target, train_sample, judge, validation,
            inference, quality,
        )  # fmt: skip

    if args.rejudge:
        for target in args.target:
            for row in rows[target]:
                judged_family = FAMILIES["conditional" if "/" in row["trial"] else "cyclegan"]
                settings = merge(params[judged_family.params_key], row["settings"])
                folder = snapshot_folder(args.env, row["trial"], target)
                state = torch.load(
                    snapshot_path(folder, row["trial"], row["step"]), weights_only=True
                )
                row.update(evaluator(judged_family, settings, target)(state))
            logs[target].write_text("".join(json.dumps(row) + "\n" for row in rows[target]))
            redraw(target)
        return
    trials = yaml.safe_load(args.trials.read_text())
    args.out.mkdir(parents=True, exist_ok=True)
    for name, override in trials.items():
        trial = family.prefix + name
        if all(trial in {r["trial"] for r in rows[t]} for t in args.target) or (
            args.only and name not in args.only
        ):
            continue
        settings = merge(params[family.params_key], override)
        if args.steps:
            settings["training"]["steps"] = args.steps
        steps = int(settings["training"]["steps"])
        settings["training"]["checkpoint_every"] = max(1, steps // args.points)
        settings["resume"] = False
        evaluators = {t: evaluator(family, settings, t) for t in args.target}
        snapshots = snapshot_folder(args.env, trial, args.target[0])
        snapshots.mkdir(parents=True, exist_ok=True)
        store = JudgingStore(evaluators, trial, snapshots)
        family.train(train_sample, store, settings, args.target)
        for target in args.target:
            new = [dict(r, settings=override) for r in store.rows if r["target"] == target]
            with logs[target].open("a") as stream:
                stream.writelines(json.dumps(row) + "\n" for row in new)
            rows[target].extend(new)
            redraw(target)


def _read_log(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


if __name__ == "__main__":
    main()

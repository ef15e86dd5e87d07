"""Both generator families + generate_synthetic through a real KedroSession on tiny data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import yaml
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.io import Version

from emotion_gan.datasets import ImageSetDataset, TorchModelDataset
from emotion_gan.models.judge import build_judge
from emotion_gan.vocabulary import TARGET_CLASSES, label_of

BASE = Path(__file__).resolve().parents[3] / "conf" / "base"
TINY_NETWORKS = {"ngf": 4, "n_blocks": 1, "ndf": 4, "n_layers": 1, "norm": "instance"}
TINY_TRAINING = {"steps": 4, "batch_size": 2, "checkpoint_every": 2, "log_every": 1}
TINY_CONDITIONAL = {"ngf": 4, "n_blocks": 1, "ndf": 4, "n_layers": 3}


def tiny_parameters() -> dict:
    """conf/base's own settings with tiny networks and runs (env files replace top-level keys)."""
    cyclegan = yaml.safe_load((BASE / "parameters_train_cyclegan_per_class.yml").read_text())
    conditional = yaml.safe_load((BASE / "parameters_train_conditional_gan.yml").read_text())
    generation = yaml.safe_load((BASE / "parameters_generate_synthetic.yml").read_text())
    cyclegan["cyclegan"]["architecture"] = TINY_NETWORKS
    cyclegan["cyclegan"]["training"].update(TINY_TRAINING)
    conditional["conditional_gan"]["architecture"] = TINY_CONDITIONAL
    conditional["conditional_gan"]["training"].update(TINY_TRAINING)
    generation["generation"].update({"lift_to": 9, "min_count": 2})
    return {**cyclegan, **conditional, **generation}


def run(project: Path, pipelines: list[str], namespaces: list[str] | None = None) -> None:
    bootstrap_project(project)
    cwd = os.getcwd()
    os.chdir(project)
    try:
        with KedroSession.create(project_path=project, env="tiny") as session:
            session.run(pipeline_names=pipelines, namespaces=namespaces)
    finally:
        os.chdir(cwd)


def versions(path: Path) -> list[Path]:
    return sorted(path.iterdir()) if path.exists() else []


def test_two_classes_then_all_write_versioned_models_and_generated_sets(
    kedro_project, make_imageset
) -> None:
    project = kedro_project({"tiny/parameters.yml": tiny_parameters()})
    train_sample = make_imageset((6, 3, 6, 7, 5, 6, 6))
    path = project / "data/05_model_input/train_sample.npz"
    ImageSetDataset(filepath=str(path), version=Version(None, None)).save(train_sample)
    test_full = make_imageset((3,) * 7, seed=9, split="test")
    path = project / "data/05_model_input/test_full.npz"
    ImageSetDataset(filepath=str(path), version=Version(None, None)).save(test_full)
    judge = build_judge(0, widths=[4], feature_width=8)
    path = project / "data/06_models/judge.pt"
    TorchModelDataset(filepath=str(path), version=Version(None, None)).save(judge)
    pipelines = ["train_cyclegan_per_class", "generate_synthetic"]

    run(project, pipelines, namespaces=["disgust", "sad"])

    models = project / "data/06_models/cyclegan"
    generated = project / "data/03_primary/generated"
    assert sorted(p.name for p in models.iterdir()) == ["disgust.pt", "sad.pt"]
    for target in ("disgust", "sad"):
        (version,) = versions(models / f"{target}.pt")
        cyclegan = TorchModelDataset(filepath=str(version / f"{target}.pt")).load()
        assert set(cyclegan) == {"G", "F", "D_R", "D_T"}
        assert cyclegan["G"].config["ngf"] == 4
        (version,) = versions(generated / f"{target}.npz")
        faces = ImageSetDataset(filepath=str(version / f"{target}.npz")).load()
        missing = 9 - train_sample.class_counts()[target]
        assert len(faces) == missing and set(faces.labels) == {label_of(target)}
        assert set(faces.origin) == {"generated"}
        assert versions(project / f"data/07_model_output/cyclegan_history/{target}.csv")
        assert versions(project / f"data/08_reporting/cyclegan/{target}_loss_curve.png")
        checkpoints = project / f"data/06_models/cyclegan_checkpoints/{target}"
        assert not list(checkpoints.glob("*.pt")), "finished runs leave no checkpoints"
    assert not (project / "data/05_model_input/augmented_train_sample.npz").exists()

    # every class and both families: a second version of disgust, the joint outputs
    run(project, ["train_conditional_gan", *pipelines])

    assert len(versions(models / "disgust.pt")) == 2
    assert sorted(p.name for p in models.iterdir()) == [f"{t}.pt" for t in sorted(TARGET_CLASSES)]
    (version,) = versions(project / "data/05_model_input/augmented_train_sample.npz")
    augmented = ImageSetDataset(filepath=str(version / "augmented_train_sample.npz")).load()
    generated_counts = np.bincount(augmented.labels[augmented.origin == "generated"], minlength=7)
    assert generated_counts.tolist() == [3, 6, 3, 2, 4, 3, 0]  # lift to 9, at least 2, no neutral
    assert versions(project / "data/08_reporting/fig3_samples.png")
    (version,) = versions(project / "data/08_reporting/generation_quality.json")
    quality = json.loads((version / "generation_quality.json").read_text())
    assert set(quality["classes"]) == set(TARGET_CLASSES)
    assert all("relative_fidelity" in c["judged"] for c in quality["classes"].values())

    # The conditional family: one model, the same generation under its own names.
    (version,) = versions(project / "data/06_models/conditional_gan.pt")
    conditional = TorchModelDataset(filepath=str(version / "conditional_gan.pt")).load()
    assert set(conditional) == {"G", "D"} and conditional["G"].config["num_domains"] == 7
    assert not list((project / "data/06_models/conditional_gan_checkpoints").glob("*.pt"))
    path = project / "data/05_model_input/conditional/augmented_train_sample.npz"
    (version,) = versions(path)
    augmented = ImageSetDataset(filepath=str(version / path.name)).load()
    generated_counts = np.bincount(augmented.labels[augmented.origin == "generated"], minlength=7)
    assert generated_counts.tolist() == [3, 6, 3, 2, 4, 3, 0]  # the same counts as the CycleGANs
    (version,) = versions(project / "data/03_primary/generated_conditional/disgust.npz")
    faces = ImageSetDataset(filepath=str(version / "disgust.npz")).load()
    assert faces.metadata["generated_by"] == "one conditional generator: neutral -> disgust"
    for name in ("generator_training_cost.json", "generation_quality.json"):
        (version,) = versions(project / f"data/08_reporting/conditional/{name}")
        assert json.loads((version / name).read_text())
    (version,) = versions(project / "data/08_reporting/conditional/generator_training_cost.json")
    cost = json.loads((version / "generator_training_cost.json").read_text())
    assert [m["steps"] for m in cost["models"]] == [4] and cost["training_seconds"] > 0

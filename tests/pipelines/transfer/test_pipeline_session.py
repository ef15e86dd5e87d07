"""`kedro run --pipelines transfer` on tiny data: versioned FER models in, Table 2 out."""

import json

import torch

from emotion_gan.datasets import TorchModelDataset
from emotion_gan.models.classifier import build_classifier
from emotion_gan.vocabulary import TRANSFER_SOURCES

TINY = """
classifier:
  seeds: [0, 1]
  architecture: {conv_channels: [4, 8], fc_width: 16}
  training: {steps: 4, log_every: 2, batch_size: 16}
transfer:
  split: {folds: 3}
  fine_tune: {mode: head, steps: 6}
  scratch: {steps: 6}
  bootstrap: {resamples: 50}
"""
LAB = """
small_faces_raw:  # conf/base's entry with a smaller embedded set (same empty-root default)
  type: emotion_gan.datasets.SmallFacesDataset
  root: ${runtime_params:small_faces_root, ""}
  embedded: {path: data/01_raw/lab_faces, subjects: 4, repeats: 2, seed: 3,
             classes: [angry, happy, sad, surprise, neutral]}
"""


def _save_fer_models(data_root, version: str) -> dict[str, dict[str, torch.nn.Module]]:
    """Stand-ins for the FER-trained classifiers, saved as a versioned catalog entry would be."""
    from kedro.io import Version

    saved = {}
    for index, source in enumerate(("baseline", "dag")):
        models = {str(seed): build_classifier(10 * index + seed, conv_channels=[4, 8],
                                              fc_width=16) for seed in (0, 1)}  # fmt: skip
        path = data_root / "06_models" / "classifiers" / f"{source}.pt"
        TorchModelDataset(filepath=str(path), version=Version(None, version)).save(models)
        saved[source] = models
    return saved


def test_transfer_fine_tunes_versioned_models_and_writes_table2(kedro_project, run_kedro):
    project = kedro_project({"local/parameters.yml": TINY, "local/catalog.yml": LAB})
    fer = _save_fer_models(project / "data", "2026-01-01T00.00.00.000Z")
    run_kedro(project, ["transfer"])

    def latest(folder: str, name: str):
        (version,) = sorted((project / "data" / folder / name).iterdir())
        return version / name

    metrics = json.loads(latest("08_reporting", "transfer_metrics.json").read_text())
    data = metrics["dataset"]
    assert data["n_images"] == 4 * 5 * 2 and data["subjects"] == 4
    assert data["classes_missing"] == ["disgust", "fear"]
    assert data["split"]["grouped_by"] == "subject" and data["split"]["folds"] == 3
    assert list(metrics["sources"]) == list(TRANSFER_SOURCES)
    for source in TRANSFER_SOURCES:
        summary = metrics["sources"][source]["fine_tuned"]["summary"]
        assert 0.0 <= summary["top1_accuracy"]["mean"] <= 1.0
        assert set(summary["recall"]) == {"angry", "happy", "sad", "surprise", "neutral"}
    assert "before_fine_tuning" in metrics["sources"]["baseline"]
    assert "before_fine_tuning" not in metrics["sources"]["scratch"]
    assert set(metrics["comparisons"]) == {"baseline_vs_scratch", "dag_vs_scratch",
                                           "dag_vs_baseline"}  # fmt: skip
    assert metrics["settings"]["bootstrap_unit"] == "subject"
    # head-only fine-tuning: the FER model's convolutions, bit for bit, in every fold's model
    tuned = TorchModelDataset(filepath=str(latest("06_models/transfer", "baseline.pt"))).load()
    assert len(tuned) == 3 * 2
    for key, model in tuned.items():
        source = fer["baseline"][key.rpartition("seed")[2]]
        assert torch.equal(model.conv1.weight, source.conv1.weight)
        assert torch.equal(model.conv2.bias, source.conv2.bias)
        assert not torch.equal(model.logits.weight, source.logits.weight)
    table = latest("08_reporting", "transfer_table2.md").read_text()
    assert "FER+embedded lab set (ours)" in table and "FER+JAFFE (paper)" in table
    report = latest("08_reporting", "transfer_report.md").read_text()
    assert "Classes missing from the set: disgust, fear" in report
    assert "grouped by subject (4 subjects" in report
    assert (project / "data/01_raw/lab_faces/happy/S00.happy.0.png").is_file()


def _write_sfew_like(root, rng) -> None:
    """An SFEW-like set: given train/test folders, six classes, subject ids in the file names."""
    import cv2
    import numpy as np

    for split, subjects in (("train", ("AA", "BB", "CC")), ("test", ("DD",))):
        for emotion in ("angry", "disgust", "fear", "happy", "sad", "surprise"):
            for subject in subjects:
                folder = root / split / emotion
                folder.mkdir(parents=True, exist_ok=True)
                face = rng.integers(0, 255, (60, 50), dtype=np.uint8)  # non-square: squashed
                cv2.imwrite(str(folder / f"{subject}.{emotion}.png"), face)


def test_transfer_in_the_fer2013_env_on_a_folder_named_at_run_time(kedro_project, run_kedro):
    import numpy as np
    import yaml

    tiny = yaml.safe_load(TINY)
    project = kedro_project()
    _save_fer_models(project / "data" / "fer2013", "2026-01-01T00.00.00.000Z")
    sfew = project / "data" / "01_raw" / "sfew"
    _write_sfew_like(sfew, np.random.default_rng(0))
    run_kedro(
        project,
        ["transfer"],
        env="fer2013",
        runtime_params={  # as `--params` would give them
            **tiny,
            "small_faces_root": str(sfew),
            "subject_pattern": r"^([A-Z]{2})\.",
            "transfer": {
                **tiny["transfer"],
                "dataset_name": "SFEW-like",
                "split": {"protocol": "given"},
            },
        },  # fmt: skip
    )
    reporting = project / "data" / "fer2013" / "08_reporting"
    (version,) = sorted((reporting / "transfer_metrics.json").iterdir())
    metrics = json.loads((version / "transfer_metrics.json").read_text())
    data = metrics["dataset"]
    assert data["name"] == "SFEW-like" and data["split"]["protocol"] == "given"
    assert data["classes_missing"] == ["neutral"] and data["n_images"] == 24
    assert data["split"]["subjects_in_both_parts"] == [] and data["non_square"] == 24
    folds = metrics["sources"]["dag"]["fine_tuned"]["per_fold"]
    assert list(folds) == ["test"] and all(len(f) == 2 for f in folds.values())  # 2 seeds
    (table,) = sorted((reporting / "transfer_table2.md").iterdir())
    text = (table / "transfer_table2.md").read_text()
    assert "one given test part, mean ± sd over 2 seeds" in text and "FER+SFEW-like (ours)" in text
    assert not (project / "data" / "fer2013" / "01_raw" / "lab_faces").exists()  # never rendered

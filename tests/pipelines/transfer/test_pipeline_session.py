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
small_faces_raw:
  type: emotion_gan.datasets.SmallFacesDataset
  embedded: {path: data/01_raw/lab_faces, subjects: 4, repeats: 2, seed: 3,
             classes: [angry, happy, sad, surprise, neutral]}
"""


def _save_fer_models(project, version: str) -> dict[str, dict[str, torch.nn.Module]]:
    """Stand-ins for the FER-trained classifiers, saved as a versioned catalog entry would be."""
    from kedro.io import Version

    saved = {}
    for index, source in enumerate(("baseline", "dag")):
        models = {str(seed): build_classifier(10 * index + seed, conv_channels=[4, 8],
                                              fc_width=16) for seed in (0, 1)}  # fmt: skip
        path = project / "data" / "06_models" / "classifiers" / f"{source}.pt"
        TorchModelDataset(filepath=str(path), version=Version(None, version)).save(models)
        saved[source] = models
    return saved


def test_transfer_fine_tunes_versioned_models_and_writes_table2(kedro_project, run_kedro):
    project = kedro_project({"local/parameters.yml": TINY, "local/catalog.yml": LAB})
    fer = _save_fer_models(project, "2026-01-01T00.00.00.000Z")
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

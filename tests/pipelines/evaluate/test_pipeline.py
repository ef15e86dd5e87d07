"""train_baseline → train_dag → tsne_report → evaluate end to end on tiny in-memory data.

Runs the real pipeline definitions with the real conf/base parameter files, overriding only
sizes (tiny CNN, 4 steps, 2 seeds, small bootstrap and t-SNE) — the same overrides make
``kedro run --pipeline=full`` fast in the project's KedroSession test.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from kedro.io import DataCatalog, MemoryDataset, Version
from kedro.runner import SequentialRunner
from PIL import Image

from emotion_gan.datasets import ReportFolderDataset
from emotion_gan.imageset import ImageSet
from emotion_gan.models.classifier import EmotionCNN
from emotion_gan.pipelines.evaluate import create_pipeline as evaluate
from emotion_gan.pipelines.train_baseline import create_pipeline as train_baseline
from emotion_gan.pipelines.train_dag import create_pipeline as train_dag
from emotion_gan.pipelines.tsne_report import create_pipeline as tsne_report
from emotion_gan.vocabulary import ALL_VARIANTS
from tests.browser import IMAGES_JS, chromium_page, screenshot
from tests.pipelines.evaluate.test_nodes import COSTS, GENERATION_QUALITY, JUDGE_METRICS

CONF = Path(__file__).resolve().parents[3] / "conf" / "base"
PARAMETER_FILES = ("train_baseline", "train_dag", "evaluate", "tsne_report")

#: Overrides that make the four pipelines run in seconds (tell the `full` session test).
TINY: dict[str, Any] = {
    "classifier": {
        "architecture": {"conv_channels": [4, 8], "fc_width": 16},
        "seeds": [0, 1],
        "training": {"steps": 4, "log_every": 2, "batch_size": 16, "device": "cpu"},
    },
    "evaluation": {"bootstrap": {"resamples": 50}, "inference": {"device": "cpu"}},
    "tsne": {"max_points": 150, "max_iter": 250, "perplexity": 5, "pca_components": 10},
}


class _KeptDataset(MemoryDataset):
    """A MemoryDataset the runner cannot release, so intermediate outputs can be inspected."""

    def _release(self) -> None:
        pass


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


def _parameter_datasets(params: dict[str, Any], prefix: str = "params:") -> dict[str, Any]:
    """Kedro's parameter feed: ``params:a`` and every nested ``params:a.b``."""
    feed = {}
    for key, value in params.items():
        feed[f"{prefix}{key}"] = value
        if isinstance(value, dict):
            feed.update(_parameter_datasets(value, f"{prefix}{key}."))
    return feed


@pytest.fixture(scope="module")
def outputs() -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name in PARAMETER_FILES:
        params.update(yaml.safe_load((CONF / f"parameters_{name}.yml").read_text()))
    params = _merge(params, TINY)
    rng = np.random.default_rng(0)

    def faces(counts: tuple[int, ...], origin: str = "real", split: str = "train") -> ImageSet:
        labels = np.repeat(np.arange(7), counts)
        images = (labels[:, None, None] * 30 + rng.integers(0, 40, (len(labels), 48, 48))).astype(
            np.uint8
        )
        return ImageSet.from_arrays(images, labels, split=split, origin=origin)

    train_sample = faces((12, 3, 12, 20, 6, 10, 14))
    generated = faces((6, 9, 6, 0, 8, 4, 0), origin="generated")
    test_full = faces((10, 3, 10, 15, 8, 8, 10), split="test")
    data = {
        "train_sample": train_sample,
        "augmented_train_sample": ImageSet.concat([train_sample, generated]),
        "test_full": test_full,
        "test_14pct": test_full.subset(np.arange(0, len(test_full), 2)),
        "test_7pct": test_full.subset(np.arange(0, len(test_full), 4)),
        "generation_quality": GENERATION_QUALITY,
        "judge_metrics": JUDGE_METRICS,
        "fig3_samples": Image.new("RGB", (8, 8)),
        "generation_quality_figure": Image.new("RGB", (8, 8)),
        # the conditional family: other generated faces, the same judged quality
        "conditional.augmented_train_sample": ImageSet.concat(
            [train_sample, faces((2, 5, 2, 0, 3, 1, 0), origin="generated")]
        ),
        "conditional.generation_quality": GENERATION_QUALITY,
        "generator_training_cost": COSTS["cyclegan"],
        "conditional.generator_training_cost": COSTS["conditional"],
        **_parameter_datasets(params),
    }
    pipeline = train_baseline() + train_dag() + tsne_report() + evaluate()
    catalog = DataCatalog({name: MemoryDataset(value) for name, value in data.items()})
    for name in pipeline.all_outputs():
        catalog[name] = _KeptDataset()
    SequentialRunner().run(pipeline, catalog)
    return {name: catalog.load(name) for name in pipeline.all_outputs()}


def test_every_variant_and_seed_is_evaluated_on_every_test_set(outputs):
    metrics = outputs["metrics"]
    assert list(metrics["variants"]) == list(ALL_VARIANTS)
    for result in metrics["variants"].values():
        assert set(result["test_sets"]) == {"test_7pct", "test_14pct", "test_full"}
        for entry in result["test_sets"].values():
            assert list(entry["per_seed"]) == ["0", "1"]
    sizes = metrics["settings"]["test_set_sizes"]
    assert sizes == {"test_7pct": 16, "test_14pct": 32, "test_full": 64}
    full = metrics["variants"]["plus_all"]["test_sets"]["test_full"]
    assert np.array(full["per_seed"]["1"]["confusion_matrix"]).sum() == 64
    assert (
        "vs_baseline" in full
        and "vs_baseline" not in (metrics["variants"]["baseline"]["test_sets"]["test_full"])
    )
    assert set(metrics["label_fidelity"]) == {"angry", "disgust", "fear", "sad", "surprise"}
    assert metrics["verdict"]["macro_f1"]["best_variant"] in ALL_VARIANTS


def test_training_sets_follow_the_variant_definitions(outputs):
    variants = outputs["metrics"]["variants"]
    assert variants["baseline"]["training"]["training_set"]["generated"]["disgust"] == 0
    assert variants["plus_disgust"]["training"]["training_set"]["generated"]["disgust"] == 9
    assert variants["plus_disgust"]["training"]["training_set"]["generated"]["sad"] == 0
    assert sum(variants["plus_all"]["training"]["training_set"]["generated"].values()) == 33
    smote = outputs["smote.training_summary"]["smote_training_set"]["0"]
    assert smote["generated"]["disgust"] == 20 - 3  # SMOTE fills up to the majority (happy)
    pre = variants["dag"]["training"]["pretraining_set"]
    assert sum(pre["real"].values()) == 0 and pre["generated"]["disgust"] == 9
    assert all(isinstance(m, EmotionCNN) for m in outputs["dag.classifier"].values())


def test_metrics_carry_the_judges_verdict_and_its_accuracy(outputs):
    gan_quality = outputs["metrics"]["gan_quality"]
    assert gan_quality["judge"]["test_full"]["top1_accuracy"] == 0.5
    assert gan_quality["classes"]["disgust"]["relative_fidelity"] == 0.5
    assert gan_quality["classes"]["disgust"]["near_copy_fraction"] == 0.02


def test_the_conditional_family_trains_its_own_variants_and_is_compared(outputs):
    variants = outputs["metrics"]["variants"]
    generated = variants["conditional_plus_all"]["training"]["training_set"]["generated"]
    assert sum(generated.values()) == 13  # conditional.augmented_train_sample, not the CycleGANs'
    assert variants["conditional_plus_disgust"]["training"]["training_set"]["generated"] == {
        **dict.fromkeys(generated, 0),
        "disgust": 5,
    }
    pre = variants["conditional_dag"]["training"]["pretraining_set"]
    assert sum(pre["generated"].values()) == 13
    families = outputs["metrics"]["generator_families"]
    assert families["conditional"]["training_seconds"] == 170.0
    assert isinstance(outputs["generator_families_figure"], Image.Image)
    report = outputs["report"].markdown
    assert "## Generator families: six CycleGANs vs one conditional generator" in report
    assert "| +disgust | " in report  # downstream, one column pair per family


def test_reporting_outputs(outputs):
    assert isinstance(outputs["table1"], pd.DataFrame) and len(outputs["table1"]) == 54
    assert "| disgust |" in outputs["table1_md"] and "(73.91)" in outputs["table1_md"]
    assert "(94.71)" in outputs["table2_md"]
    assert isinstance(outputs["confusion_matrices"], Image.Image)
    assert isinstance(outputs["fig4_tsne_pixels"], Image.Image)
    report = outputs["report"].markdown
    assert len(outputs["report"].figures) == report.count("](figures/") == 6
    assert "## Verdict" in report and "GAN augmentation vs cheap alternatives" in report


def test_the_html_report_renders_in_a_browser(outputs, tmp_path):
    """The report folder as the catalog writes it, opened from disk in headless Chromium."""
    version = "2026-01-01T00.00.00.000Z"
    ReportFolderDataset(filepath=str(tmp_path / "report"), version=Version(None, version)).save(
        outputs["report"]
    )
    folder = tmp_path / "report" / version / "report"
    markdown = (folder / "report.md").read_text()
    for link in re.findall(r"\]\((figures/[^)]+)\)", markdown):  # the Markdown's figures resolve
        assert (folder / link).is_file(), link
    with chromium_page(tmp_path) as page:
        page.goto((folder / "report.html").as_uri(), wait_until="load")
        tables = page.eval_on_selector_all(
            "table",
            "tables => tables.map(t => ({rows: t.querySelectorAll('tbody tr').length, "
            "height: t.getBoundingClientRect().height, "
            "headers: [...t.querySelectorAll('th')].map(h => h.textContent)}))",
        )
        images = page.eval_on_selector_all("img", IMAGES_JS)
        table1 = page.locator("table", has_text="(73.91)").first.inner_text()
        screenshot(page, tmp_path, "evaluate_report.png")
    assert len(tables) == sum(line.startswith("|---|") for line in markdown.splitlines())
    assert all(t["rows"] > 0 and t["height"] > 0 for t in tables), tables
    assert any("baseline: All (paper)" in t["headers"] for t in tables)  # Table 2's paper column
    assert "disgust" in table1 and "(68.6 implied)" in table1  # Table 1: ours (paper) per cell
    assert len(images) == 6
    assert all(i["complete"] and i["width"] > 0 for i in images), images  # none broken
    files = sorted(Image.open(folder / path).width for path in outputs["report"].figures)
    assert sorted(i["width"] for i in images) == files  # the figures of the folder, decoded

"""`kedro run --pipelines full` end to end on a tiny configuration: the whole report appears."""

import json
import re
from pathlib import Path

from emotion_gan import hooks
from tests.conftest import synthetic_source

TINY_PARAMETERS = """
cyclegan:
  architecture: {ngf: 4, n_blocks: 1, ndf: 8, n_layers: 1}
  training: {steps: 4, batch_size: 2, checkpoint_every: 2, log_every: 1}
conditional_gan:
  architecture: {ngf: 4, n_blocks: 1, ndf: 8, n_layers: 3}
  training: {steps: 4, batch_size: 2, checkpoint_every: 2, log_every: 1}
generation:
  min_count: 6
  quality: {max_images: 50}
classifier:
  seeds: [0, 1]
  architecture: {conv_channels: [4, 8], fc_width: 16}
  training: {steps: 4, log_every: 2, batch_size: 16}
evaluation:
  bootstrap: {resamples: 50}
judge:
  architecture: {widths: [4, 8], feature_width: 8}
  training: {steps: 4, batch_size: 16, log_every: 2}
tsne:
  max_points: 120
  pca_components: 10
  perplexity: 10
  max_iter: 250
"""


def test_full_pipeline_produces_metrics_tables_and_report(kedro_project, run_kedro, monkeypatch):
    project = kedro_project({**synthetic_source(total=700, seed=5),
                             "local/parameters.yml": TINY_PARAMETERS})  # fmt: skip
    said: list[str] = []  # Kedro's logging config replaces pytest's handlers: record directly
    monkeypatch.setattr(hooks.logger, "info", lambda message, *args: said.append(message % args))
    run_kedro(project, ["full"])
    reporting = project / "data" / "08_reporting"

    def latest(name: str):
        versions = sorted((reporting / name).iterdir())
        return versions[-1] / name

    (summary,) = [line for line in said if line.startswith("Report of this run:")]
    lines = summary.split("\n")  # the run's last lines: its report (HTML, Markdown), the verdict
    html = Path(lines[0].removeprefix("Report of this run: "))
    assert html == latest("report") / "report.html" and html.is_file()  # this run's version
    assert f"Markdown: {html.with_name('report.md')}" in lines
    (verdict,) = [line for line in lines if line.startswith("Verdict: ")]
    assert verdict.startswith("Verdict: macro-F1 on the full test split: baseline")

    metrics = json.loads(latest("metrics.json").read_text())
    assert {"settings", "variants", "label_fidelity", "verdict"} <= set(metrics)
    assert {"baseline", "plus_disgust", "plus_sad", "plus_all", "dag", "class_weighted",
            "deferred_reweighting", "logit_adjusted", "oversampled", "flip_crop",
            "smote", "conditional_plus_disgust", "conditional_plus_sad", "conditional_plus_all",
            "conditional_dag"} <= set(metrics["variants"])  # fmt: skip
    families = metrics["generator_families"]  # both families, judged the same way, with costs
    assert list(families) == ["cyclegan", "conditional"]
    assert families["cyclegan"]["models"] == 6 and families["conditional"]["models"] == 1
    assert all(f["training_seconds"] > 0 for f in families.values())
    assert set(families["conditional"]["classes"]) == set(families["cyclegan"]["classes"])
    for table in ("table1.csv", "table1.md", "table2.csv", "table2.md"):
        assert latest(table).stat().st_size > 0, table
    report = (latest("report") / "report.md").read_text()
    links = re.findall(r"\]\((figures/[^)]+)\)", report)  # figures linked as files beside it
    assert len(links) == 6 and all((latest("report") / link).is_file() for link in links)
    assert "1 − 2e/K" in report and "68.6 %" in report  # one-vs-rest ⇔ top-1 explained
    assert "baseline" in report and "dag" in report.lower()
    assert "## Generator families: six CycleGANs vs one conditional generator" in report
    for target in ("angry", "disgust", "fear", "happy", "sad", "surprise"):
        assert (project / "data/03_primary/generated" / f"{target}.npz").is_dir()
        assert (project / "data/06_models/cyclegan" / f"{target}.pt").is_dir()
    quality = json.loads(latest("generation_quality.json").read_text())
    for target in ("angry", "disgust", "fear", "happy", "sad", "surprise"):
        judged = quality["classes"][target]["judged"]
        assert judged["frechet_distance"]["source_line"] >= 0.0
        assert 0.0 <= judged["label_fidelity"] <= 1.0
    judge = json.loads(latest("judge_metrics.json").read_text())
    assert judge["test_full"]["n"] > 0 and "validation" in judge

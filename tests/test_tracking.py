"""Experiment tracking (emotion_gan.tracking + kedro-mlflow): what a run records, and the switch.

The session tests run Kedro in a project copy with kedro-mlflow's hooks switched on (the rest
of the suite runs with ``EMOTION_GAN_TRACKING=0``, see conftest.py) and read the SQLite store
back with ``MlflowClient``: no server, no network.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kedro.io import DataCatalog
from kedro.pipeline import Pipeline, node
from PIL import Image

from emotion_gan import hooks, pipeline_registry, tracking
from emotion_gan import settings as project_settings
from emotion_gan.datasets import Fer2013Dataset, ImageFolderDataset, SyntheticFacesDataset
from emotion_gan.figures.document import ReportDocument
from emotion_gan.pipelines import ingest, toy_svm
from emotion_gan.pipelines.evaluate.nodes import compute_metrics
from emotion_gan.pipelines.evaluate.report import headline
from emotion_gan.tracking import (
    data_source_tags,
    disabled_plugins,
    headline_metrics,
    tracking_enabled,
)
from tests.conftest import synthetic_source
from tests.datasets.test_fer2013 import HEADER, row
from tests.pipelines.evaluate.test_nodes import (
    GENERATION_QUALITY,
    JUDGE_METRICS,
    JUDGED,
    hand_worked_inputs,
)
from tests.pipelines.toy_svm.test_pipeline_session import REDUCED

EVALUATION = {
    "verdict_test_set": "test_full",
    "minority_class": "disgust",
    "bootstrap": {"resamples": 50, "seed": 0},
    "inference": {"device": "cpu"},
}


def case_metrics(evaluation: dict[str, Any]) -> dict[str, Any]:
    """``compute_metrics`` on the hand-worked case of tests/pipelines/evaluate/test_nodes."""
    _, results, sets = hand_worked_inputs()
    evaluation = {**EVALUATION, **evaluation}
    return compute_metrics(**sets, label_fidelity={}, **JUDGED, evaluation=evaluation, **results)


def test_headline_metrics_of_evaluate_are_the_seed_summaries_and_the_judges_numbers() -> None:
    found = headline_metrics({"metrics": case_metrics({})})
    assert found["test_full/baseline/disgust_recall_mean"] == 0.0
    assert found["test_full/plus_disgust/disgust_recall_mean"] == pytest.approx(0.975)
    assert found["test_full/plus_disgust/disgust_recall_sd"] == pytest.approx(0.05 / 2**0.5)
    assert found["test_full/baseline/top1_accuracy_mean"] == pytest.approx(6 / 7)
    assert found["test_full/dag/macro_f1_mean"] == 1.0
    assert found["test_full/dag/balanced_accuracy_sd"] == 0.0
    variant_keys = [key for key in found if key.startswith("test_")]
    assert len(variant_keys) == 5 * 3 * 4 * 2  # variants × test sets × numbers × (mean, sd)
    judge = {key: value for key, value in found.items() if key.startswith("judge/")}
    assert judge["judge/cyclegan/disgust/label_fidelity"] == 0.3
    assert judge["judge/conditional/disgust/frechet_distance.generated_over_source"] == 0.25
    assert judge["judge/cyclegan/disgust/diversity_ratio"] == pytest.approx(0.5)
    assert judge["judge/test_full/top1_accuracy"] == 0.5
    assert len(found) == len(variant_keys) + len(judge)


def test_without_metrics_the_judge_numbers_come_from_the_runs_generation_quality() -> None:
    found = headline_metrics(
        {"generation_quality": GENERATION_QUALITY, "judge_metrics": JUDGE_METRICS}
    )
    assert found == {
        "judge/cyclegan/disgust/generated_count": 10.0,
        "judge/cyclegan/disgust/label_fidelity": 0.3,
        "judge/cyclegan/disgust/judge_recall_on_real_test": 0.6,
        "judge/cyclegan/disgust/source_called_target": 0.05,
        "judge/cyclegan/disgust/relative_fidelity": 0.5,
        "judge/cyclegan/disgust/still_reference_share": 0.4,
        "judge/cyclegan/disgust/frechet_distance.n": 10.0,
        "judge/cyclegan/disgust/frechet_distance.source_line": 40.0,
        "judge/cyclegan/disgust/frechet_distance.generated": 10.0,
        "judge/cyclegan/disgust/frechet_distance.floor": 5.0,
        "judge/cyclegan/disgust/frechet_distance.generated_over_source": 0.25,
        "judge/cyclegan/disgust/knn_precision_recall.precision": 0.7,
        "judge/cyclegan/disgust/knn_precision_recall.recall": 0.6,
        "judge/test_full/top1_accuracy": 0.5,
        "judge/test_full/macro_f1": 0.4,
    }
    assert headline_metrics({}) == {}


def test_toy_svm_accuracies_are_its_methods_means_and_sds() -> None:
    toy = {
        "bayes_accuracy": 0.97,
        "baseline": {"mean": 0.9, "sd": 0.01, "per_seed": [0.89, 0.91]},
        "cyclegan": {"mean": 0.95, "sd": 0.02, "per_seed": [0.93, 0.97], "reference_class": 1},
        "paper_baseline": 0.933,
        "target": {"met": True},
        "gan_quality": {
            "reference": {"label_fidelity": {"mean": 0.8, "sd": None}},
            "judge": "the Bayes rule of the three Gaussians",
        },
    }
    assert headline_metrics({"toy_svm_metrics": toy}) == {
        "toy_svm/bayes_accuracy": 0.97,
        "toy_svm/baseline/accuracy_mean": 0.9,
        "toy_svm/baseline/accuracy_sd": 0.01,
        "toy_svm/cyclegan/accuracy_mean": 0.95,
        "toy_svm/cyclegan/accuracy_sd": 0.02,
        "toy_svm/gan_quality/reference/label_fidelity_mean": 0.8,
    }


def test_the_switch_reads_the_environment_variable() -> None:
    assert tracking_enabled({}) and tracking_enabled({"EMOTION_GAN_TRACKING": "1"})
    assert not tracking_enabled({"EMOTION_GAN_TRACKING": "0"})
    assert not tracking_enabled({"EMOTION_GAN_TRACKING": " Off "})
    assert disabled_plugins({"EMOTION_GAN_TRACKING": "false"}) == ("kedro_mlflow",)
    assert disabled_plugins({}) == ()
    with pytest.raises(ValueError, match="EMOTION_GAN_TRACKING='maybe' is neither on"):
        tracking_enabled({"EMOTION_GAN_TRACKING": "maybe"})


def test_the_data_source_is_tagged_with_the_fer2013_files_sha256(tmp_path) -> None:
    csv = tmp_path / "fer2013.csv.gz"
    csv.write_bytes(gzip.compress((HEADER + row("1") + row("3", usage="PublicTest")).encode()))
    fer2013 = Fer2013Dataset(filepath=str(csv))
    tags = data_source_tags(DataCatalog({"faces_raw": fer2013}))
    assert tags["data_source"] == "fer2013_csv" and str(csv) in tags["data_source.dataset"]
    assert tags["data_source.sha256"] == fer2013.load().metadata["sha256"]  # the reader's digest
    assert tags["data_source.sha256"] == hashlib.sha256(csv.read_bytes()).hexdigest()
    missing = Fer2013Dataset(filepath=str(tmp_path / "absent.csv"))
    assert "data_source.sha256" not in data_source_tags(DataCatalog({"faces_raw": missing}))
    folder = ImageFolderDataset(path=str(tmp_path))
    assert data_source_tags(DataCatalog({"faces_raw": folder}))["data_source"] == "image_folder"
    embedded = SyntheticFacesDataset(total=7)
    assert data_source_tags(DataCatalog({"faces_raw": embedded})) == {
        "data_source": "embedded",
        "data_source.dataset": repr(embedded),
    }


def _case_report(metrics: dict[str, Any]) -> ReportDocument:
    return ReportDocument(
        markdown=f"# Case\n\n{headline(metrics)}\n",
        html="<html><body>case</body></html>",
        figures={},
    )


#: evaluate's reporting outputs, made by hand (metrics by the real compute_metrics): the
#: catalog's own versioned datasets save them, as in a full run.
CASE = Pipeline(
    [
        node(case_metrics, "params:evaluation", "metrics", name="case_metrics"),
        node(_case_report, "metrics", "report", name="case_report"),
        node(lambda m: Image.new("RGB", (8, 8)), "metrics", "confusion_matrices", name="case_fig"),
    ]
)


@pytest.fixture
def kedro_mlflow(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[bool], None]]:
    """Switch kedro-mlflow's hooks on or off for the next sessions; register ``case`` too.

    Kedro reads ``DISABLE_HOOKS_FOR_PLUGINS`` from settings.py at each ``bootstrap_project``;
    settings.py computes it from ``EMOTION_GAN_TRACKING`` once, at import (as in one
    ``kedro run``), so a test in this process sets the module's value instead. MLflow keeps its
    tracking URI and experiment in the environment: those are put back afterwards.
    """
    registered = {"toy_svm": toy_svm.create_pipeline(), "ingest": ingest.create_pipeline()}
    monkeypatch.setattr(
        pipeline_registry, "register_pipelines", lambda: {**registered, "case": CASE}
    )
    before = {k: v for k, v in os.environ.items() if k.startswith("MLFLOW_")}

    def switch(on: bool) -> None:
        value = disabled_plugins({"EMOTION_GAN_TRACKING": "1" if on else "0"})
        monkeypatch.setattr(project_settings, "DISABLE_HOOKS_FOR_PLUGINS", value)

    yield switch
    import mlflow

    while mlflow.active_run():  # a failed test's run: else MLflow ends it at exit, in a
        mlflow.end_run("FAILED")  # default ./mlflow.db of the working directory (seen once)
    mlflow.set_tracking_uri(None)
    for name in [k for k in os.environ if k.startswith("MLFLOW_")]:
        os.environ.pop(name)
    os.environ.update(before)


def _run_of(project: Path, name: str, version: str) -> dict[str, Any]:
    return json.loads((project / f"data/08_reporting/{name}/{version}/{name}").read_text())


def test_two_runs_are_two_comparable_rows_indexing_the_kedro_versions(
    kedro_project, run_kedro, kedro_mlflow, monkeypatch
) -> None:
    import mlflow
    from mlflow.tracking import MlflowClient

    kedro_mlflow(True)
    project = kedro_project()
    said: list[str] = []  # Kedro's logging config replaces pytest's handlers: record directly
    monkeypatch.setattr(hooks.logger, "info", lambda message, *args: said.append(message % args))
    for c, resamples in ((1.0, 50), (0.25, 60)):
        run_kedro(
            project,
            ["toy_svm", "case"],
            runtime_params={
                "toy_svm": {**REDUCED["toy_svm"], "svm": {"regularisation_c": c}},
                "evaluation": {"bootstrap": {"resamples": resamples}},
            },
        )
    assert (project / "mlruns/mlflow.db").is_file()
    client = MlflowClient(tracking_uri=f"sqlite:///{project}/mlruns/mlflow.db")
    experiment = client.get_experiment_by_name("emotion_gan")
    runs = client.search_runs([experiment.experiment_id], order_by=["attributes.start_time ASC"])
    assert [run.info.status for run in runs] == ["FINISHED", "FINISHED"]
    assert [r.data.params["toy_svm.svm.regularisation_c"] for r in runs] == ["1.0", "0.25"]
    assert [r.data.params["evaluation.bootstrap.resamples"] for r in runs] == ["50", "60"]
    assert runs[0].data.params["toy_svm.cyclegan.steps"] == "30"  # nested: one per leaf

    for run in runs:
        tags, version = run.data.tags, run.data.tags["kedro.save_version"]
        assert tags["kedro.env"] == "local" and tags["data_source"] == "embedded"
        assert tags["kedro.saved.metrics"] == f"data/08_reporting/metrics.json/{version}"
        assert tags["kedro.saved.toy_svm_metrics"].endswith(f"toy_svm_metrics.json/{version}")
        metrics = _run_of(project, "metrics.json", version)  # what Kedro saved is what MLflow has
        toy = _run_of(project, "toy_svm_metrics.json", version)
        assert tags["verdict"] == headline(metrics)
        logged = run.data.metrics
        assert logged == pytest.approx(
            headline_metrics({"metrics": metrics, "toy_svm_metrics": toy})
        )
        disgust = metrics["variants"]["plus_disgust"]["test_sets"]["test_full"]["summary"]
        assert logged["test_full/plus_disgust/disgust_recall_mean"] == pytest.approx(
            disgust["per_class"]["disgust"]["recall"]["mean"]
        )
        assert logged["toy_svm/cyclegan/accuracy_mean"] == pytest.approx(toy["cyclegan"]["mean"])
        artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
        assert {"report", "metrics.json", "confusion_matrices.png", "toy_svm"} <= artifacts
        report = {a.path for a in client.list_artifacts(run.info.run_id, "report")}
        assert report == {"report/report.md", "report/report.html"}
        figures = {a.path for a in client.list_artifacts(run.info.run_id, "toy_svm")}
        assert "toy_svm/fig2a.png" in figures
    assert runs[0].data.tags["kedro.save_version"] != runs[1].data.tags["kedro.save_version"]
    assert mlflow.active_run() is None  # closed: a next session in this process starts its own
    summary = [line for line in said if line.startswith("Report of this run:")][-1]
    assert summary.splitlines()[-1] == (
        f"MLflow run: {runs[1].info.run_id} (compare runs: {tracking.UI_COMMAND})"
    )


def test_tracking_switched_off_opens_no_store(
    kedro_project, run_kedro, kedro_mlflow, monkeypatch
) -> None:
    import mlflow

    kedro_mlflow(False)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    project = kedro_project(synthetic_source(total=100))
    run_kedro(project, ["ingest"])
    assert list((project / "data/02_intermediate/faces.npz").iterdir())  # the run did run
    assert not (project / "mlruns").exists()
    assert not list(project.rglob("*.db"))
    assert mlflow.active_run() is None and "MLFLOW_TRACKING_URI" not in os.environ

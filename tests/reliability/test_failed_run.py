"""Run-level reliability through the real KedroSession: a failed run leaves no "latest" behind."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emotion_gan.models.training.runtime import NonFiniteLossError
from tests.conftest import synthetic_source


def _versions(project: Path) -> set[str]:
    """Every ``data/<layer>/<dataset>/<version>`` folder of the project, relative (the
    journal and the withdrawn versions live in hidden folders of ``data/``)."""
    return {
        str(p.relative_to(project))
        for p in (project / "data").glob("*/*/*")
        if p.is_dir() and not p.relative_to(project / "data").parts[0].startswith(".")
    }


def test_a_run_that_fails_midway_withdraws_every_version_it_saved(kedro_project, run_kedro, caplog):
    project = kedro_project(synthetic_source(total=300, seed=2))
    run_kedro(project, ["ingest", "sample_imbalanced"])
    finished = _versions(project)
    assert any("faces.npz" in v for v in finished) and any("test_full" in v for v in finished)

    # ingest succeeds and saves `faces`; sample_imbalanced then fails on the data: 90 % of the
    # dataset is a valid fraction (the parameters hook lets it through) but more than its test split
    (project / "conf" / "local" / "parameters.yml").write_text(
        "sample_imbalanced:\n  test_subset_fractions: {test_7pct: 0.07, test_14pct: 0.9}\n"
    )
    hooks_logger = logging.getLogger("emotion_gan.hooks")  # Kedro's logging config may not
    hooks_logger.addHandler(caplog.handler)  # propagate to the root logger caplog watches
    try:
        with pytest.raises(ValueError, match=r"test subset 'test_14pct': 90% of the dataset"):
            run_kedro(project, ["ingest", "sample_imbalanced"])
    finally:
        hooks_logger.removeHandler(caplog.handler)
    withdrawn = [r.getMessage() for r in caplog.records if "withdrew" in r.getMessage()]
    assert withdrawn and "02_intermediate/faces.npz" in withdrawn[0]  # it had saved, then failed
    assert _versions(project) == finished  # only the finished run's versions remain
    assert list((project / "data" / ".withdrawn").glob("*/*_faces.npz/faces.npz"))  # kept aside

    # the next run still loads the finished run's data as latest and completes
    (project / "conf" / "local" / "parameters.yml").write_text("")
    run_kedro(project, ["sample_imbalanced"])


def test_a_mistyped_pipeline_name_lists_the_registered_ones(kedro_project, run_kedro):
    project = kedro_project(synthetic_source(total=300, seed=2))
    with pytest.raises(
        ValueError, match=r"no pipeline named ingets; registered pipelines: .*ingest"
    ):
        run_kedro(project, ["ingets"])
    assert _versions(project) == set()  # refused before anything ran


def test_the_versions_of_a_killed_run_are_withdrawn_by_the_next_run(kedro_project, run_kedro):
    project = kedro_project(synthetic_source(total=300, seed=2))
    run_kedro(project, ["ingest", "sample_imbalanced"])
    finished = _versions(project)
    kedro = Path(sys.executable).with_name("kedro")
    killed = subprocess.Popen(  # train_judge runs long enough to be killed in the middle
        [str(kedro), "run", "--pipelines", "ingest,sample_imbalanced,train_judge"],
        cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (_versions(project) - finished) or not any(
            "judge_training_faces" in v for v in _versions(project) - finished
        ):
            assert killed.poll() is None and time.monotonic() < deadline, "run ended too soon"
            time.sleep(0.2)
    finally:
        killed.send_signal(signal.SIGKILL)
        killed.wait()
    left_behind = _versions(project) - finished
    assert left_behind and list((project / "data" / ".runs").glob("*.json"))

    run_kedro(project, ["sample_imbalanced"])  # any next run cleans up first
    assert not any(v in _versions(project) for v in left_behind)
    assert not list((project / "data" / ".runs").glob("*.json"))


@pytest.mark.parametrize(
    ("params", "refusal"),
    [
        ({"sample_imbalanced": {"train_fractoin": 0.3}},
         r"unknown parameter 'sample_imbalanced\.train_fractoin'"),
        ({"tsne": {"perplexity": -5.0}},  # a node of a later pipeline would fail on it
         r"tsne\.perplexity must be > 0 \(conf/base: 30\.0\); got -5\.0"),
    ],
    ids=["misspelt key", "out of range"],
)  # fmt: skip
def test_a_misspelt_or_out_of_range_parameter_stops_the_run_before_any_node(
    kedro_project, run_kedro, params, refusal
):
    project = kedro_project(synthetic_source(total=300, seed=2))
    with pytest.raises(ValueError, match=refusal):
        run_kedro(project, ["ingest"], runtime_params=params)
    assert _versions(project) == set()
    # a runtime value for the catalog (top-level scalar) is not a typo
    run_kedro(project, ["ingest"], runtime_params={"fer2013_csv": "unused.csv.gz"})


def test_a_diverging_training_fails_the_run_and_leaves_the_finished_versions_latest(
    kedro_project, run_kedro
):
    tiny = (
        "judge:\n  architecture: {widths: [4, 8], feature_width: 8}\n"
        "  training: {steps: 40, log_every: 10, batch_size: 16}\n"
    )
    project = kedro_project({**synthetic_source(total=300, seed=2), "local/parameters.yml": tiny})
    run_kedro(project, ["ingest", "sample_imbalanced"])
    finished = _versions(project)
    with pytest.raises(NonFiniteLossError, match=r"diverged .* Lower training\.learning_rate"):
        run_kedro(
            project,
            ["ingest", "sample_imbalanced", "train_judge"],  # the judge's faces are saved first
            runtime_params={"judge": {"training": {"learning_rate": 1e8}}},  # as --params does
        )
    assert _versions(project) == finished  # no model, and not the diverged run's data either

"""``DaskRunner`` on a ``distributed.LocalCluster`` of two worker processes (the pickling a
real cluster does), on tiny data: same outputs as the sequential run, versions intact, and a
node failing on a worker fails the run and withdraws its versions."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from distributed import LocalCluster
from kedro.io import DataCatalog, MemoryDataset, Version
from kedro.pipeline import Node, Pipeline
from kedro.runner import SequentialRunner

from emotion_gan.datasets import ImageSetDataset, TorchModelDataset
from emotion_gan.runners import DaskRunner
from emotion_gan.runners.threads import available_cores, threads_per_slot
from emotion_gan.vocabulary import TARGET_CLASSES
from tests.conftest import synthetic_source

#: Four CycleGAN steps per class: the six classes are the independent nodes.
TINY_CYCLEGANS = """
cyclegan:
  architecture: {ngf: 4, n_blocks: 1, ndf: 8, n_layers: 1}
  training: {steps: 4, batch_size: 2, checkpoint_every: 2, log_every: 1}
"""
PIPELINES = ["ingest", "sample_imbalanced", "train_cyclegan_per_class"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """One cluster for the module (starting one costs seconds): 2 single-threaded processes."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local


#: Kedro's save version (the run id) as a folder name: 2026-12-02T01.20.12.327Z.
_VERSION = re.compile(r"^\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d\.\d{3}Z$")


def _versions(project: Path) -> set[Path]:
    """Every version folder under the project's ``data/`` (not the hidden journal/trash)."""
    return {
        p.relative_to(project)
        for p in (project / "data").glob("[!.]*/**/*")
        if p.is_dir() and _VERSION.match(p.name)
    }


def _where_and_how(x: int) -> dict[str, int]:
    return {"x": x, "pid": os.getpid(), "threads": torch.get_num_threads()}


def _double(x: int) -> int:
    return 2 * x


def _gather(left: dict[str, int], right: int) -> dict[str, int]:
    return {**left, "right": right}


def test_memory_outputs_travel_between_worker_processes_and_threads_are_capped(cluster):
    pipeline = Pipeline(
        [
            Node(_double, "start", "doubled", name="double"),
            Node(_where_and_how, "doubled", "seen", name="where_and_how"),
            Node(_double, "doubled", "quadrupled", name="double_again"),
            Node(_gather, ["seen", "quadrupled"], "gathered", name="gather"),
        ]
    )
    catalog = DataCatalog({"start": MemoryDataset(3)})
    outputs = DaskRunner(address=cluster.scheduler_address).run(pipeline, catalog)
    gathered = outputs["gathered"].load()  # a free output comes back, as from SequentialRunner
    assert gathered["x"] == 6 and gathered["right"] == 12
    assert gathered["pid"] != os.getpid()  # ran in a worker process, its input sent there
    # 2 workers × 1 thread on this host: cores // 2 torch threads each (1 on a 2-core machine)
    assert gathered["threads"] == threads_per_slot(2, available_cores())


def _latest_models(project: Path, target: str) -> dict[str, torch.nn.Module]:
    path = project / "data/06_models/cyclegan" / f"{target}.pt"
    return TorchModelDataset(filepath=str(path), version=Version(None, None)).load()


def test_dask_run_matches_the_sequential_run_and_saves_one_version_per_run(
    kedro_project, run_kedro, cluster, tmp_path
):
    files = {**synthetic_source(total=300, seed=2), "local/parameters.yml": TINY_CYCLEGANS}
    sequential = kedro_project(files).rename(tmp_path / "sequential")  # frees tmp_path/project
    distributed = kedro_project(files)
    # The workers' thread count here too: equal counts, equal reduction order, equal bits.
    torch.set_num_threads(threads_per_slot(2, available_cores()))  # conftest restores it
    run_kedro(sequential, PIPELINES, runner=SequentialRunner())
    run_kedro(distributed, PIPELINES, runner=DaskRunner(address=cluster.scheduler_address))

    # every versioned output of the 21 nodes, saved by two workers, under the run's one id
    versions = _versions(distributed)
    assert len(versions) == 1 + 4 + 3 * len(TARGET_CLASSES) and len({v.name for v in versions}) == 1
    assert {v.parent for v in versions} == {v.parent for v in _versions(sequential)}
    for name in ("train_sample", "test_full"):
        path = f"data/05_model_input/{name}.npz"
        one, other = (
            ImageSetDataset(filepath=str(p / path), version=Version(None, None)).load()
            for p in (sequential, distributed)
        )
        np.testing.assert_array_equal(one.images, other.images)
        np.testing.assert_array_equal(one.labels, other.labels)
    for target in TARGET_CLASSES:  # "latest" loads, and holds the same weights bit for bit
        one, other = _latest_models(sequential, target), _latest_models(distributed, target)
        assert set(one) == set(other) == {"G", "F", "D_R", "D_T"}
        for network, module in one.items():
            for key, tensor in module.state_dict().items():
                assert torch.equal(other[network].state_dict()[key], tensor), (target, key)
        history = "data/07_model_output/cyclegan_history"
        losses = (  # all but "seconds", the wall clock
            pd.read_csv(next((p / history).glob(f"{target}.csv/*/*"))).drop(columns="seconds")
            for p in (sequential, distributed)
        )
        pd.testing.assert_frame_equal(*losses, check_exact=True)


def test_a_node_failing_on_a_worker_fails_the_run_and_withdraws_its_versions(
    kedro_project, run_kedro, cluster
):
    project = kedro_project(synthetic_source(total=300, seed=2))
    run_kedro(project, ["ingest", "sample_imbalanced"])
    finished = _versions(project)
    # ingest succeeds on a worker and saves `faces`; sample_imbalanced then fails on one, on
    # the data (90 % of the dataset is a valid fraction, but more than its test split holds)
    (project / "conf/local/parameters.yml").write_text(
        "sample_imbalanced:\n  test_subset_fractions: {test_7pct: 0.07, test_14pct: 0.9}\n"
    )
    with pytest.raises(ValueError, match=r"test subset 'test_14pct': 90% of the dataset"):
        run_kedro(
            project,
            ["ingest", "sample_imbalanced"],
            runner=DaskRunner(address=cluster.scheduler_address),
        )
    assert _versions(project) == finished  # the failed run's `faces` was withdrawn
    assert list((project / "data/.withdrawn").glob("*/*_faces.npz/faces.npz"))

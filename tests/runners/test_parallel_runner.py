"""Kedro's own ``ParallelRunner`` on the project: the torch-thread cap (TorchThreads hook) and a
tiny two-worker run with the sequential run's outputs."""

from __future__ import annotations

import os

import pytest
import torch
from kedro.framework.project import pipelines
from kedro.io import DataCatalog, SharedMemoryDataCatalog
from kedro.pipeline import Node, Pipeline
from kedro.runner import ParallelRunner

from emotion_gan import hooks
from emotion_gan.runners.threads import (
    THREADS_ENV,
    available_cores,
    parallel_processes,
    requested_threads,
    threads_per_slot,
)
from emotion_gan.vocabulary import TARGET_CLASSES
from tests.conftest import synthetic_source
from tests.runners.test_dask_runner import PIPELINES, TINY_CYCLEGANS, _latest_models, _versions


def _identity(x: int) -> int:
    return x


def _total(*parts: int) -> int:
    return sum(parts)


#: Three independent nodes, then one: Kedro's ParallelRunner would start 3 processes.
FAN_OUT = Pipeline(
    [Node(_identity, "a", f"b{i}", name=f"copy{i}") for i in range(3)]
    + [Node(_total, ["b0", "b1", "b2"], "c", name="sum")]
)


def test_threads_per_slot_never_oversubscribes():
    assert threads_per_slot(2, cores=2) == 1
    assert threads_per_slot(3, cores=16) == 5
    assert threads_per_slot(4, cores=2) == 1  # more slots than cores: still one thread
    assert parallel_processes(FAN_OUT) == min(3, os.cpu_count() or 1)


def test_the_thread_variable_is_a_whole_number_or_auto(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "auto")
    assert requested_threads() is None
    monkeypatch.setenv(THREADS_ENV, "3")
    assert requested_threads() == 3
    monkeypatch.setenv(THREADS_ENV, "two")
    with pytest.raises(ValueError, match=rf"{THREADS_ENV}='two' is not a thread count"):
        hooks.TorchThreads().before_pipeline_run(pipeline=FAN_OUT, catalog=DataCatalog())


def test_the_cap_is_set_for_a_parallel_run_only_and_restored_after_it(monkeypatch):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    hook = hooks.TorchThreads()
    hook.before_pipeline_run(pipeline=FAN_OUT, catalog=DataCatalog())  # sequential: untouched
    assert THREADS_ENV not in os.environ
    hook.before_pipeline_run(pipeline=FAN_OUT, catalog=SharedMemoryDataCatalog())
    assert os.environ[THREADS_ENV] == str(threads_per_slot(parallel_processes(FAN_OUT)))
    hook.on_pipeline_error()
    assert THREADS_ENV not in os.environ
    monkeypatch.setenv(THREADS_ENV, "2")  # the user's choice wins, under any runner
    hook.before_pipeline_run(pipeline=FAN_OUT, catalog=SharedMemoryDataCatalog())
    hook.after_pipeline_run()
    assert os.environ[THREADS_ENV] == "2"


def test_a_parallel_run_caps_threads_per_process_and_matches_the_sequential_run(
    kedro_project, run_kedro, tmp_path, monkeypatch
):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    seen = tmp_path / "threads"
    seen.mkdir()

    def use_and_record(threads: int) -> None:  # runs in the forked worker processes
        torch.set_num_threads(threads)
        (seen / str(os.getpid())).write_text(str(torch.get_num_threads()))

    monkeypatch.setattr(hooks, "use_torch_threads", use_and_record)
    files = {**synthetic_source(total=300, seed=2), "local/parameters.yml": TINY_CYCLEGANS}
    sequential = kedro_project(files).rename(tmp_path / "sequential")  # frees tmp_path/project
    parallel = kedro_project(files)
    run_kedro(parallel, PIPELINES, runner=ParallelRunner(max_workers=2))
    expected = threads_per_slot(
        parallel_processes(sum((pipelines[n] for n in PIPELINES), Pipeline([])))
    )
    threads = {int(p.read_text()) for p in seen.iterdir()}
    processes = len(list(seen.iterdir()))
    assert 1 <= processes <= 2 and threads == {expected}  # 1 on a 2-core machine
    assert processes * expected <= max(available_cores(), processes)
    assert THREADS_ENV not in os.environ  # restored in this process
    torch.set_num_threads(expected)  # as the workers: equal bits (conftest restores it)
    run_kedro(sequential, PIPELINES)
    versions = _versions(parallel)
    assert len({v.name for v in versions}) == 1  # one save version across the processes
    assert {v.parent for v in versions} == {v.parent for v in _versions(sequential)}
    for target in TARGET_CLASSES:
        one, other = _latest_models(sequential, target), _latest_models(parallel, target)
        for network, module in one.items():
            for key, tensor in module.state_dict().items():
                assert torch.equal(other[network].state_dict()[key], tensor), (target, key)


def test_everything_full_passes_between_nodes_can_go_to_another_process(kedro_project):
    """ParallelRunner's own checks (every dataset and node pickles; what no catalog entry
    declares becomes a SharedMemoryDataset) and DaskRunner's, on ``full``, without a run."""
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project
    from kedro.io import SharedMemoryDataset

    from emotion_gan.runners.dask_runner import _check_picklable

    project = kedro_project(synthetic_source(total=300, seed=2))
    bootstrap_project(project)
    pipelines.set_requested(["full"])
    cwd = os.getcwd()
    os.chdir(project)
    try:
        with KedroSession.create(project_path=project) as session:
            context = session.load_context()
            shared = context._get_catalog(catalog_class=SharedMemoryDataCatalog)  # noqa: SLF001
            catalog = context.catalog  # each access builds a new one
            full = pipelines["full"]
            for name in full.datasets():  # as the runners' warm-up does
                shared.get(name, fallback_to_runtime_pattern=True)
                catalog.get(name, fallback_to_runtime_pattern=True)
    finally:
        os.chdir(cwd)
    shared.validate_catalog()
    ParallelRunner._validate_nodes(full.nodes)  # noqa: SLF001
    _check_picklable(full, catalog)
    in_memory = {n for n in full.all_outputs() if isinstance(shared.get(n), SharedMemoryDataset)}
    assert "baseline.training_set" in in_memory  # a real hand-over between two nodes

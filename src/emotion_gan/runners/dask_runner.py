"""``DaskRunner``: each node of a Kedro run is one task on a Dask cluster.

Why: the per-target-class CycleGANs and the per-variant classifiers are independent nodes; on
a cluster they train side by side. Follows Kedro's Dask deployment guide
(docs/deploy/supported-platforms/dask.md), adapted to Kedro 1.7's runner API::

    kedro run --pipelines full --runner emotion_gan.runners.DaskRunner
    DASK_SCHEDULER_ADDRESS=tcp://host:8786 kedro run --runner emotion_gan.runners.DaskRunner

How a run works (README "Scaling out"):

* The scheduler is ``address`` (``--runner-params address=…``), else Dask's
  ``scheduler-address`` setting (the ``DASK_SCHEDULER_ADDRESS`` environment variable), else a
  ``LocalCluster`` started for this run: one single-threaded worker process per core.
* A node is submitted once the nodes it depends on finished. The task carries the run's
  catalog, so every worker saves under the run's one save version (the run id) and loads
  from the same paths; ``data_root`` must therefore be a path every worker sees at the same
  place, a shared mount (an fsspec URL serves the versioned image and model files, but not
  the checkpoint folders or the rollback). Outputs no catalog entry declares (Kedro's
  MemoryDatasets) travel between workers as task results instead.
* Hooks: the session runs the pipeline hooks here, so a node that fails on a worker fails the
  run (``on_pipeline_error``: the project's rollback withdraws its versions) — after the
  nodes still running have finished, so none saves a version after the rollback. On the
  workers, the project's own hooks (``settings.HOOKS``) run the node and dataset hooks.
  Installed plugins (kedro-mlflow) keep their run state in this process: they get
  ``before_node_run`` here, with the node's parameters, when the node is submitted.
* Torch threads per task: :mod:`emotion_gan.runners.threads` (cores of the worker's machine
  over the tasks its workers run at once, or ``EMOTION_GAN_TORCH_THREADS``).
"""

from __future__ import annotations

import pickle
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import cloudpickle
import dask
import kedro.framework.project as kedro_project
from distributed import Client, Future, LocalCluster, get_worker, wait
from distributed.comm import get_address_host
from kedro.framework.hooks.manager import _create_hook_manager, _register_hooks
from kedro.framework.project import LOGGING, configure_logging, configure_project, settings
from kedro.io import AbstractVersionedDataset, CatalogProtocol, MemoryDataset
from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node
from kedro.runner import AbstractRunner
from kedro.runner.task import Task
from pluggy import PluginManager

from emotion_gan.runners.threads import (
    available_cores,
    requested_threads,
    threads_per_slot,
    use_torch_threads,
)


@dataclass(frozen=True)
class _WorkerSetup:
    """What a worker process needs before its first node: the project and its logging."""

    package_name: str | None
    logging_config: dict[str, Any]
    #: Tasks the workers of each host run at once (their ``nthreads`` summed).
    slots_per_host: dict[str, int] = field(default_factory=dict)


class DaskRunner(AbstractRunner):
    """Runs a pipeline's nodes as tasks on a Dask cluster (see the module docstring)."""

    def __init__(
        self,
        is_async: bool = False,
        address: str | None = None,
        n_workers: int | None = None,
        processes: bool = True,
    ) -> None:
        """
        Args:
            is_async: load a node's inputs and save its outputs in threads (Kedro's flag).
            address: the scheduler (``tcp://host:8786``); ``None``: Dask's
                ``scheduler-address`` setting (``DASK_SCHEDULER_ADDRESS``), and without one a
                ``LocalCluster`` for this run.
            n_workers: workers of that ``LocalCluster`` (default: one per core).
            processes: ``LocalCluster`` workers as processes (``False``: threads of this
                process, which skips the pickling a real cluster does).
        """
        super().__init__(is_async=is_async)
        self._address = address
        self._n_workers = n_workers
        self._processes = processes

    def _get_executor(self, max_workers: int) -> None:
        """No local pool: :meth:`_run` hands the nodes to the Dask scheduler."""
        return None

    @contextmanager
    def _client(self) -> Iterator[Client]:
        address = self._address or dask.config.get("scheduler-address", None)
        if address:
            self._logger.info("Dask scheduler: %s", address)
            with Client(address) as client:
                yield client
            return
        workers = self._n_workers or available_cores()
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=self._processes,
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            self._logger.info(
                "No Dask scheduler given (DASK_SCHEDULER_ADDRESS): started a local cluster "
                "of %d single-threaded worker %s",
                workers,
                "processes" if self._processes else "threads",
            )
            yield client

    def _run(
        self,
        pipeline: Pipeline,
        catalog: CatalogProtocol,
        hook_manager: PluginManager | None = None,
        run_id: str | None = None,
    ) -> None:
        """Submit each node once its dependencies finished; re-raise the first failure.

        One loop on purpose (Kedro's Dask guide has the same shape): submission, the release
        of transient results and the drain-then-raise on failure share the futures' state,
        and splitting them would pass that state around without making any part testable alone.

        Raises:
            TypeError: the catalog cannot be pickled (the datasets at fault named).
            Exception: the first error a node raised, once no node is running any more.
        """
        _check_picklable(pipeline, catalog)
        transient = {
            name for name in pipeline.all_outputs() if isinstance(catalog.get(name), MemoryDataset)
        }
        producers = {name: node for node in pipeline.nodes for name in node.outputs}
        # Loads of each transient output still to come; its producer's result is dropped
        # from worker memory at 0, as Kedro releases a MemoryDataset nobody loads again.
        remaining = Counter(chain.from_iterable(n.inputs for n in pipeline.nodes))
        kept_outputs = pipeline.outputs() & transient  # returned by the run, as Sequential does
        plugin_before_node_run = _plugin_hook(hook_manager, "before_node_run")
        key_suffix = run_id or uuid.uuid4().hex
        dependencies = pipeline.node_dependencies
        todo, done = set(pipeline.nodes), set()
        running: dict[Future, Node] = {}
        results: dict[Node, Future] = {}  # producers of transient outputs still to be loaded
        failed: Future | None = None

        with self._client() as client:
            setup = _WorkerSetup(
                package_name=kedro_project.PACKAGE_NAME,
                logging_config=dict(LOGGING),
                slots_per_host=_slots_per_host(client),
            )
            while True:
                ready = [] if failed else [n for n in todo if dependencies[n] <= done]
                for node in sorted(ready):
                    todo.discard(node)
                    if plugin_before_node_run is not None:
                        plugin_before_node_run(
                            node=node,
                            catalog=catalog,
                            inputs=_parameter_inputs(node, catalog),
                            is_async=self._is_async,
                            run_id=run_id,
                        )
                    future = client.submit(
                        _run_node,
                        node,
                        catalog,
                        {n: results[producers[n]] for n in node.inputs if n in transient},
                        [n for n in node.outputs if n in transient],
                        self._is_async,
                        run_id,
                        setup,
                        key=f"{node.name}-{key_suffix}",
                        pure=False,
                    )
                    running[future] = node
                    if any(n in transient for n in node.outputs):
                        results[node] = future
                if not running:
                    break
                finished, _ = wait(list(running), return_when="FIRST_COMPLETED")
                for future in finished:
                    node = running.pop(future)
                    if future.status != "finished":
                        failed = failed or future
                        continue
                    done.add(node)
                    self._logger.info("Completed node: %s", node.name)
                    self._logger.info(
                        "Completed %d out of %d tasks", len(done), len(pipeline.nodes)
                    )
                    remaining.subtract(node.inputs)
                    results = {
                        producer: result
                        for producer, result in results.items()
                        if any(
                            remaining[n] > 0 or n in kept_outputs
                            for n in producer.outputs
                            if n in transient
                        )
                    }

            if failed is not None:
                self._suggest_resume_scenario(pipeline, done, catalog)
                failed.result()  # re-raises the node's own exception, with its traceback
            if todo:
                self._raise_runtime_error(todo, done, set(), None)
            for name in sorted(kept_outputs):
                catalog.save(name, results[producers[name]].result()[name])


def _run_node(  # noqa: PLR0913 - one task's whole context, sent to the worker at once
    node: Node,
    catalog: CatalogProtocol,
    upstream: dict[str, dict[str, Any]],
    transient_outputs: list[str],
    is_async: bool,
    run_id: str | None,
    setup: _WorkerSetup,
) -> dict[str, Any]:
    """Run ``node`` on this worker; return its outputs that no catalog entry persists.

    ``upstream`` maps each transient input to the result of the task that produced it (Dask
    resolves the futures to results). The catalog is this task's own copy: tasks on one
    worker (or the threads of an in-process cluster) would otherwise share one object.
    """
    _configure_worker(setup)
    catalog = pickle.loads(cloudpickle.dumps(catalog))
    for name, produced in upstream.items():
        catalog.save(name, produced[name])
    for name in node.inputs:
        if isinstance(catalog.get(name), AbstractVersionedDataset):
            # Resolve "latest" now, after the upstream node saved it, not from a version
            # cache filled in the driver before the run.
            catalog.release(name)
    hook_manager = _create_hook_manager()
    _register_hooks(hook_manager, settings.HOOKS)
    Task(
        node=node, catalog=catalog, hook_manager=hook_manager, is_async=is_async, run_id=run_id
    ).execute()
    return {name: catalog.load(name) for name in transient_outputs}


def _configure_worker(setup: _WorkerSetup) -> None:
    """Configure the project in a fresh worker process and cap its torch threads.

    Why: a worker is its own process (often on another machine) whose Kedro settings — the
    project's hooks above all — are unset until ``configure_project``, as in the processes
    Kedro's ``ParallelRunner`` spawns.
    """
    if setup.package_name and setup.package_name != kedro_project.PACKAGE_NAME:
        configure_project(setup.package_name)
        configure_logging(setup.logging_config)
    host = get_address_host(get_worker().address)
    use_torch_threads(requested_threads() or threads_per_slot(setup.slots_per_host.get(host, 1)))


def _slots_per_host(client: Client) -> dict[str, int]:
    """Tasks each host runs at once: the ``nthreads`` of its workers, summed."""
    slots: Counter[str] = Counter()
    for worker in client.scheduler_info(n_workers=-1)["workers"].values():
        slots[worker["host"]] += worker["nthreads"]
    return dict(slots)


def _check_picklable(pipeline: Pipeline, catalog: CatalogProtocol) -> None:
    """Fail before any node runs when the catalog cannot travel to a worker, naming why."""
    try:
        cloudpickle.dumps(catalog)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        culprits = []
        for name in sorted(pipeline.datasets()):
            try:
                cloudpickle.dumps(catalog.get(name))
            except (pickle.PicklingError, TypeError, AttributeError) as reason:
                culprits.append(f"{name} ({type(reason).__name__}: {reason})")
        raise TypeError(
            "DaskRunner sends the catalog with each node to a worker, but it cannot be "
            f"pickled: {'; '.join(culprits) or error}. Make those datasets picklable, or "
            "run with the SequentialRunner."
        ) from error


def _plugin_hook(hook_manager: PluginManager | None, name: str) -> Any:
    """Hook ``name`` of the plugins outside ``settings.HOOKS`` (they stay in this process);
    ``None`` when there are none."""
    if not isinstance(hook_manager, PluginManager):
        return None
    project = [hook for hook in settings.HOOKS if hook_manager.is_registered(hook)]
    if len(project) == len(hook_manager.get_plugins()):
        return None
    return hook_manager.subset_hook_caller(name, remove_plugins=project)


def _parameter_inputs(node: Node, catalog: CatalogProtocol) -> dict[str, Any]:
    """The node's parameter inputs: all of its inputs this process has without loading data."""
    return {
        name: catalog.load(name)
        for name in node.inputs
        if name.startswith("params:") or name == "parameters"
    }

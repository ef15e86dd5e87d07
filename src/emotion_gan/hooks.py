"""Project hooks: parameters checked before anything runs, runs that did not finish rolled
back, and a run's last lines pointing at its report.

:class:`NamespaceParametersCheck`: the problems :mod:`emotion_gan.parameter_checks` finds
(names the vocabulary does not know, keys or number types conf/base does not have, settings
blocks that do not build, numbers out of range), raised together when the catalog is created,
before anything trains.

:class:`RunRollback`: a run that fails, or was killed, has every version it saved withdrawn,
so "latest" is always the output of a run that finished (:mod:`emotion_gan.datasets.versions`).

:class:`RunSummary`: the last lines of a run that wrote the report name it and give the verdict
(and the MLflow run id, when the run is tracked: :mod:`emotion_gan.tracking`).

:class:`TorchThreads`: under a parallel runner, torch threads per node process capped so that
processes × threads ≤ cores (:mod:`emotion_gan.runners.threads`).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.io import CatalogProtocol, SharedMemoryDataCatalog
from kedro.pipeline import Pipeline

from emotion_gan.datasets.versions import RunJournal, version_folder, withdraw_folders
from emotion_gan.parameter_checks import (
    key_paths,
    namespace_parameter_problems,
    parameter_schema_problems,
)
from emotion_gan.runners.threads import (
    THREADS_ENV,
    parallel_processes,
    requested_threads,
    threads_per_slot,
    use_torch_threads,
)
from emotion_gan.tracking import UI_COMMAND, MlflowRunIndex

logger = logging.getLogger(__name__)


class NamespaceParametersCheck:
    """Fails fast when parameters and the vocabulary disagree (see the module docstring), or
    when a parameter key is not one conf/base defines."""

    def __init__(self) -> None:
        self._base: dict[str, Any] | None = None

    @hook_impl
    def after_context_created(self, context: Any) -> None:
        """Read conf/base's parameters alone: their key paths and value types are the schema.

        Read as plain YAML, not through a second ``OmegaConfigLoader``: creating one
        re-registers the ``globals`` resolver process-wide, and the catalog of an env such as
        fer2013 then resolved ``${globals:data_root}`` from conf/base (measured: its versions
        were written under ``data/`` instead of ``data/fer2013/``).
        """
        import yaml
        from kedro.framework.project import settings

        base = Path(context.config_loader.conf_source) / settings.CONFIG_LOADER_ARGS.get(
            "base_env", "base"
        )
        parameters: dict[str, Any] = {}
        for path in sorted(base.rglob("parameters*.y*ml")):
            parameters.update(yaml.safe_load(path.read_text()) or {})
        self._base = key_paths(parameters)

    @hook_impl
    def after_catalog_created(self, parameters: dict[str, Any]) -> None:
        """``parameters`` is Kedro's catalog view: the whole tree sits under ``"parameters"``."""
        parameters = parameters or {}
        parameters = parameters.get("parameters", parameters)
        problems = namespace_parameter_problems(parameters)
        if self._base is not None:
            problems += parameter_schema_problems(parameters, self._base)
        if problems:
            raise ValueError("parameters do not match the pipelines:\n- " + "\n- ".join(problems))


class RunRollback:
    """Withdraws the versions of a run that did not finish: "latest" is always from one that did.

    Kedro's save version of a run is its run id, so a run's versions are the folders named
    exactly ``run_params["run_id"]`` of its versioned datasets; earlier versions are never
    touched. A run that raises (bad parameter, divergence, corrupt input) withdraws its own on
    the way out. A run killed outright (SIGKILL, power cut) runs no hook, so every run keeps a
    locked journal (``data/.runs/<run_id>.json``: its version folders) and the next run
    withdraws the versions of any journal whose lock nobody holds. Withdrawn folders are moved
    to ``data/.withdrawn/<run_id>/``, not deleted.
    """

    @hook_impl
    def before_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: CatalogProtocol
    ) -> None:
        journal = _journal(run_params)
        for run_id, folders in journal.abandoned().items():
            moved = withdraw_folders(folders, run_id, _trash(run_params))
            _report(f"run {run_id} was killed before it finished", moved, run_id, run_params)
            journal.end(run_id)
        journal.begin(run_params["run_id"], _version_folders(run_params, pipeline, catalog))

    # tryfirst: pluggy calls the last-registered hooks first, and a plugin's hook that raised
    # before this one would leave the journal of a finished run behind (then withdrawn).
    @hook_impl(tryfirst=True)
    def after_pipeline_run(self, run_params: dict[str, Any]) -> None:
        _journal(run_params).end(run_params["run_id"])

    @hook_impl(tryfirst=True)
    def on_pipeline_error(
        self,
        error: Exception,
        run_params: dict[str, Any],
        pipeline: Pipeline,
        catalog: CatalogProtocol,
    ) -> None:
        folders = _version_folders(run_params, pipeline, catalog)
        run_id = run_params["run_id"]
        moved = withdraw_folders(folders, run_id, _trash(run_params))
        _report(f"run {run_id} failed ({type(error).__name__}: {error})", moved, run_id, run_params)
        _journal(run_params).end(run_params["run_id"])


def _journal(run_params: dict[str, Any]) -> RunJournal:
    return RunJournal(Path(run_params["project_path"]) / "data" / ".runs")


def _trash(run_params: dict[str, Any]) -> Path:
    return Path(run_params["project_path"]) / "data" / ".withdrawn"


def _version_folders(
    run_params: dict[str, Any], pipeline: Pipeline, catalog: CatalogProtocol
) -> list[str]:
    """The folders this run saves its versions to (one per versioned dataset it writes)."""
    folders = []
    for name in sorted(pipeline.all_outputs()):
        if name in catalog:
            folder = version_folder(catalog[name], run_params["run_id"])
            if folder is not None:
                folders.append(folder)
    return folders


def _report(why: str, withdrawn: list[str], run_id: str, run_params: dict[str, Any]) -> None:
    if withdrawn:
        logger.warning(
            "%s; withdrew the %d versions it had saved (moved to %s), so the previous "
            "versions stay latest:\n  %s",
            why,
            len(withdrawn),
            _trash(run_params) / run_id,
            "\n  ".join(withdrawn),
        )


class RunSummary:
    """The last lines of a run that wrote the report say where it is and what it concluded.

    Why: a run ends in a scroll of INFO lines, and a newcomer otherwise has to search
    ``data/08_reporting/`` for this run's timestamp by hand. A tracked run (``tracking``) adds
    its MLflow run id and the command that opens the runs side by side.
    """

    def __init__(self, tracking: MlflowRunIndex | None = None) -> None:
        self._tracking = tracking

    @hook_impl(trylast=True)
    def after_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: CatalogProtocol
    ) -> None:
        outputs = pipeline.all_outputs()
        if "report" not in outputs or "metrics" not in outputs:
            return
        from emotion_gan.datasets.report_folder import HTML_FILE, MARKDOWN_FILE
        from emotion_gan.pipelines.evaluate.report import headline

        run_id = run_params["run_id"]
        folder = version_folder(catalog["report"], run_id)
        metrics = catalog.load("metrics", version=run_id)
        report = Path(folder) / Path(folder).parent.name if folder else None
        tracked = self._tracking.run_id if self._tracking else None
        logger.info(
            "Report of this run: %s\nMarkdown: %s\nVerdict: %s%s",
            report / HTML_FILE if report else "report (not versioned)",
            report / MARKDOWN_FILE if report else "report (not versioned)",
            headline(metrics),
            f"\nMLflow run: {tracked} (compare runs: {UI_COMMAND})" if tracked else "",
        )


class TorchThreads:
    """Caps torch's threads per node process under Kedro's ``ParallelRunner`` (and applies
    ``EMOTION_GAN_TORCH_THREADS`` under any runner).

    Why: each of the runner's worker processes would start one torch thread per core
    (:mod:`emotion_gan.runners.threads`). The runner is invisible to hooks but its catalog is
    not — a ``SharedMemoryDataCatalog`` is the ``ParallelRunner``'s — so before the run, this
    process sets ``EMOTION_GAN_TORCH_THREADS`` to cores // worker processes; the workers it
    starts inherit the variable, and this hook, which Kedro registers in each of them, applies
    it before every node. The variable is restored when the run ends.
    """

    def __init__(self) -> None:
        self._restore: dict[str, str | None] = {}

    @hook_impl
    def before_pipeline_run(self, pipeline: Pipeline, catalog: CatalogProtocol) -> None:
        """A mistyped variable fails here, before any node, rather than in the first one."""
        if requested_threads() is None and isinstance(catalog, SharedMemoryDataCatalog):
            processes = parallel_processes(pipeline)
            self._restore = {THREADS_ENV: os.environ.get(THREADS_ENV)}
            os.environ[THREADS_ENV] = str(threads_per_slot(processes))
            logger.info(
                "ParallelRunner: %s torch thread(s) per node process (%d processes); set %s "
                "to choose",
                os.environ[THREADS_ENV],
                processes,
                THREADS_ENV,
            )

    @hook_impl
    def before_node_run(self) -> None:
        threads = requested_threads()
        if threads is not None:
            use_torch_threads(threads)

    @hook_impl
    def after_pipeline_run(self) -> None:
        self._put_back()

    @hook_impl
    def on_pipeline_error(self) -> None:
        self._put_back()

    def _put_back(self) -> None:
        for name, value in self._restore.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._restore = {}

"""Experiment tracking: what a Kedro run records in MLflow, on top of kedro-mlflow.

kedro-mlflow (a Kedro plugin, registered through its entry point) opens one MLflow run per
``kedro run`` in the store of ``conf/base/mlflow.yml`` and logs the parameters every node
reads. :class:`MlflowRunIndex` adds, in that run, what makes runs comparable side by side:

- metrics: the headline numbers of the run's outputs (:func:`headline_metrics`);
- artifacts: every ``08_reporting`` output this run saved (report folder, figures, tables,
  JSON), copied from its Kedro version folder;
- tags: the Kedro env, the data source (and the FER2013 file's sha256), the verdict sentence,
  and every Kedro version: ``kedro.save_version`` (the timestamp of everything the run saved),
  ``kedro.saved.<dataset>`` (each version folder) and ``kedro.loaded.<dataset>`` (the version of
  each versioned input it read from an earlier run).

Why an index, not a store: Kedro's versioned datasets stay the source of truth (``--load-versions``
reproduces from them, :class:`~emotion_gan.hooks.RunRollback` withdraws them); MLflow only
points at them, so no dataset of the catalog is an MLflow dataset.

The switch: ``EMOTION_GAN_TRACKING=0`` leaves kedro-mlflow's hooks unregistered
(:func:`disabled_plugins`, read by settings.py), so a run opens no store and writes nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from importlib.metadata import metadata
from numbers import Real
from pathlib import Path
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.io import AbstractVersionedDataset, CatalogProtocol
from kedro.pipeline import Pipeline

from emotion_gan.datasets import Fer2013Dataset, ImageFolderDataset, SyntheticFacesDataset
from emotion_gan.datasets.versions import version_folder
from emotion_gan.vocabulary import GENERATOR_FAMILIES, TEST_SETS

logger = logging.getLogger(__name__)

#: The environment variable that switches tracking off ("0", "false", "no", "off").
TRACKING_ENV = "EMOTION_GAN_TRACKING"
_OFF, _ON = ("0", "false", "no", "off"), ("", "1", "true", "yes", "on")
#: The distribution name Kedro's ``DISABLE_HOOKS_FOR_PLUGINS`` matches (its metadata ``Name``).
KEDRO_MLFLOW = metadata("kedro-mlflow")["Name"]
#: The command that opens the store (the Makefile puts .venv/bin on PATH: kedro-mlflow calls
#: `mlflow` by name).
UI_COMMAND = "make mlflow-ui"

#: Per variant and test set: the summary numbers logged (as ``<name>_mean`` and ``<name>_sd``).
VARIANT_SUMMARIES = ("top1_accuracy", "macro_f1", "balanced_accuracy")
#: The folder of the catalog's layout whose outputs are logged as artifacts.
REPORTING_LAYER = "08_reporting"


def _quality_output(namespace: str | None) -> str:
    return f"{namespace}.generation_quality" if namespace else "generation_quality"


#: The outputs :func:`headline_metrics` reads, loaded from the run's versions.
METRIC_OUTPUTS = (
    "metrics",
    "toy_svm_metrics",
    "judge_metrics",
    *(_quality_output(family.namespace) for family in GENERATOR_FAMILIES),
)
_SOURCE_KINDS = {
    SyntheticFacesDataset: "embedded",
    Fer2013Dataset: "fer2013_csv",
    ImageFolderDataset: "image_folder",
}


def tracking_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether runs are tracked: on unless ``EMOTION_GAN_TRACKING`` says off."""
    value = environ.get(TRACKING_ENV, "").strip().lower()
    if value in _OFF:
        return False
    if value in _ON:
        return True
    raise ValueError(
        f"{TRACKING_ENV}={environ[TRACKING_ENV]!r} is neither on ({', '.join(_ON[1:])}) nor off "
        f"({', '.join(_OFF)}); unset it to track runs, set it to 0 to switch tracking off"
    )


def disabled_plugins(environ: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """``DISABLE_HOOKS_FOR_PLUGINS`` for settings.py: kedro-mlflow's, when tracking is off.

    Why unregister the plugin rather than use its ``disable_tracking.pipelines``: with the
    latter it still opens (and on first use creates) the store in every session. Measured on a
    tiny ``kedro run --pipelines=ingest``: 6.2–7.1 s off, 8.5–9.3 s on — paid by every test
    that runs Kedro, were it on.
    """
    return () if tracking_enabled(environ) else (KEDRO_MLFLOW,)


def headline_metrics(outputs: Mapping[str, Any]) -> dict[str, float]:
    """The numbers of a run's outputs that MLflow shows as metrics, by metric key.

    ``outputs`` maps dataset names to the loaded outputs a run produced; those read:

    - ``metrics`` (evaluate): per test set and variant, ``<test set>/<variant>/<summary>_mean``
      and ``_sd`` for top-1, macro-F1, balanced accuracy and the minority class's recall
      (``disgust_recall``); per generator family and generated class, the judge's numbers
      (``judge/<family>/<class>/<number>``, e.g. ``label_fidelity``,
      ``frechet_distance.generated_over_source``); the judge's own accuracy on real faces
      (``judge/test_full/top1_accuracy``, ``judge/test_full/macro_f1``);
    - without ``metrics``: the same judge numbers from the families' ``generation_quality``
      (its ``judged`` block) and the judge's accuracy from ``judge_metrics``;
    - ``toy_svm_metrics``: ``toy_svm/<method>/accuracy_mean`` and ``_sd``,
      ``toy_svm/bayes_accuracy``, ``toy_svm/gan_quality/<reference>/<number>_mean`` and ``_sd``.

    Numbers that are absent or not real numbers (``None``, booleans, text) are left out.
    """
    found: dict[str, float] = {}
    if "metrics" in outputs:
        metrics = outputs["metrics"]
        found.update(_variant_metrics(metrics))
        for family, entry in (metrics.get("generator_families") or {}).items():
            for target, judged in (entry.get("classes") or {}).items():
                found.update(_numbers(judged, f"judge/{family}/{target}/"))
        judge = (metrics.get("gan_quality") or {}).get("judge", {}).get("test_full", {})
        found.update(_numbers(_accuracies(judge), "judge/test_full/"))
    else:
        for family in GENERATOR_FAMILIES:
            quality = outputs.get(_quality_output(family.namespace)) or {}
            for target, entry in (quality.get("classes") or {}).items():
                found.update(_numbers(entry.get("judged") or {}, f"judge/{family.name}/{target}/"))
        judge = (outputs.get("judge_metrics") or {}).get("test_full", {})
        found.update(_numbers(_accuracies(judge), "judge/test_full/"))
    if "toy_svm_metrics" in outputs:
        found.update(_toy_svm_metrics(outputs["toy_svm_metrics"]))
    return found


def _variant_metrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    minority = metrics["settings"]["minority_class"]
    found: dict[str, float] = {}
    for variant, entry in metrics["variants"].items():
        for test_set in TEST_SETS:
            summary = entry["test_sets"].get(test_set, {}).get("summary")
            if summary is None:
                continue
            stats = {name: summary[name] for name in VARIANT_SUMMARIES if name in summary}
            recall = summary.get("per_class", {}).get(minority, {}).get("recall")
            if recall is not None:
                stats[f"{minority}_recall"] = recall
            for name, stat in stats.items():
                for moment in ("mean", "sd"):
                    found.update(
                        _numbers({f"{name}_{moment}": stat.get(moment)}, f"{test_set}/{variant}/")
                    )
    return found


def _toy_svm_metrics(toy: Mapping[str, Any]) -> dict[str, float]:
    found = _numbers({"bayes_accuracy": toy.get("bayes_accuracy")}, "toy_svm/")
    for method, entry in toy.items():
        if isinstance(entry, Mapping) and "mean" in entry and "sd" in entry:
            found.update(
                _numbers(
                    {"accuracy_mean": entry["mean"], "accuracy_sd": entry["sd"]},
                    f"toy_svm/{method}/",
                )
            )
    for reference, numbers in (toy.get("gan_quality") or {}).items():
        if not isinstance(numbers, Mapping):  # e.g. "judge": how the points were judged
            continue
        for name, stat in numbers.items():
            if isinstance(stat, Mapping):
                found.update(
                    _numbers(
                        {f"{name}_mean": stat.get("mean"), f"{name}_sd": stat.get("sd")},
                        f"toy_svm/gan_quality/{reference}/",
                    )
                )
    return found


def _accuracies(judge: Mapping[str, Any]) -> dict[str, Any]:
    return {name: judge.get(name) for name in ("top1_accuracy", "macro_f1")}


def _numbers(tree: Mapping[str, Any], prefix: str) -> dict[str, float]:
    """Every real-number leaf of ``tree`` (nested keys joined by ``.``), keys prefixed."""
    found: dict[str, float] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            found.update(_numbers(value, f"{prefix}{key}."))
        elif isinstance(value, Real) and not isinstance(value, bool):
            found[f"{prefix}{key}"] = float(value)
    return found


def data_source_tags(catalog: CatalogProtocol) -> dict[str, str]:
    """Where the run's faces come from: ``faces_raw``'s kind, its dataset, a file's sha256."""
    if "faces_raw" not in catalog:
        return {}
    source = catalog["faces_raw"]
    kind = next((k for cls, k in _SOURCE_KINDS.items() if isinstance(source, cls)), None)
    tags = {"data_source": kind or type(source).__name__, "data_source.dataset": repr(source)}
    if isinstance(source, Fer2013Dataset):
        sha256 = source.file_sha256()
        if sha256 is not None:
            tags["data_source.sha256"] = sha256
    return tags


class MlflowRunIndex:
    """Indexes a finished Kedro run in the MLflow run kedro-mlflow opened for it.

    ``run_id`` is that MLflow run's id once the run is indexed (``None`` before, and for a run
    that is not tracked), for :class:`~emotion_gan.hooks.RunSummary`'s last lines.
    """

    def __init__(self) -> None:
        self.run_id: str | None = None

    @hook_impl
    def before_pipeline_run(self) -> None:
        self.run_id = None

    # tryfirst: kedro-mlflow's own after_pipeline_run ends the MLflow run, and pluggy calls the
    # plugin (registered after the project's hooks) before an untagged project hook.
    @hook_impl(tryfirst=True)
    def after_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: CatalogProtocol
    ) -> None:
        import mlflow

        active = mlflow.active_run()
        if active is None:  # tracking off, or this pipeline in mlflow.yml's disable list
            return
        try:
            self._index(mlflow, run_params, pipeline, catalog)
        except Exception as error:  # noqa: BLE001 - an index must never fail a finished run
            logger.warning(
                "MLflow run %s of Kedro run %s is incomplete (%s: %s); the run's Kedro "
                "versions are intact.",
                active.info.run_id,
                run_params["run_id"],
                type(error).__name__,
                error,
            )
        self.run_id = active.info.run_id

    def _index(
        self, mlflow: Any, run_params: dict[str, Any], pipeline: Pipeline, catalog: CatalogProtocol
    ) -> None:
        from kedro.framework.project import settings

        from emotion_gan.pipelines.evaluate.report import headline

        version = run_params["run_id"]
        outputs = pipeline.all_outputs()
        versioned = {
            name: catalog[name]
            for name in sorted(outputs | pipeline.inputs())
            if name in catalog and isinstance(catalog[name], AbstractVersionedDataset)
        }
        loaded = {
            name: catalog.load(name, version=version)
            for name in METRIC_OUTPUTS
            if name in outputs and name in versioned
        }
        tags = {
            "kedro.env": run_params["env"] or settings.CONFIG_LOADER_ARGS["default_run_env"],
            "kedro.save_version": version,
            **data_source_tags(catalog),
        }
        if "metrics" in loaded:
            tags["verdict"] = headline(loaded["metrics"])
        for name, dataset in versioned.items():
            if name in outputs:
                folder = version_folder(dataset, version)
                if folder is not None:  # relative: comparable across clones of the project
                    tags[f"kedro.saved.{name}"] = os.path.relpath(
                        folder, run_params["project_path"]
                    )
            else:
                tags[f"kedro.loaded.{name}"] = dataset.resolve_load_version()
        mlflow.set_tags(tags)
        mlflow.log_metrics(headline_metrics(loaded))
        for name in sorted(outputs & versioned.keys()):
            folder = version_folder(versioned[name], version)
            parts = Path(folder).parts if folder else ()
            if REPORTING_LAYER in parts and Path(folder).is_dir():
                # <layer>/<sub folders>/<name>/<version>/… → artifact <sub folders>/…
                under = "/".join(parts[parts.index(REPORTING_LAYER) + 1 : -2])
                mlflow.log_artifacts(folder, artifact_path=under or None)

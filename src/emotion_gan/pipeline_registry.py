"""Project pipelines: every package under ``pipelines/`` (``full`` = the paper's chain)."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline


def register_pipelines() -> dict[str, Pipeline]:
    """Discover the pipeline packages; ``kedro run`` with no ``--pipelines`` runs ``full``.

    Kedro 1.x loads only the pipelines a run requests, so ``full`` is loaded here only when
    asked for (or when everything is, e.g. for ``__default__`` or ``kedro viz``).
    """
    pipelines = find_pipelines(raise_errors=True)
    if "full" in pipelines:
        pipelines["__default__"] = pipelines["full"]
    return pipelines

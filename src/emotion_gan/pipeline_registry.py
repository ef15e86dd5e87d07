"""Project pipelines: every package under ``pipelines/`` (``full`` = the paper's chain)."""

from __future__ import annotations

from importlib import resources

from kedro.framework import project
from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline


def pipeline_names() -> list[str]:
    """Names of the pipeline packages under ``emotion_gan/pipelines/``."""
    root = resources.files("emotion_gan.pipelines")
    return sorted(
        p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
    )


def register_pipelines() -> dict[str, Pipeline]:
    """Discover the pipeline packages; ``kedro run`` with no ``--pipelines`` runs ``full``.

    Kedro 1.x loads only the pipelines a run requests, so ``full`` is loaded here only when
    asked for (or when everything is, e.g. for ``__default__`` or ``kedro viz``). A requested
    name that is no pipeline is refused with the list of those that are; Kedro's own error is
    an ``ImportError`` of a module the user never named.
    """
    requested = getattr(project.pipelines, "_requested_pipelines", None) or []
    unknown = sorted(set(requested) - {*pipeline_names(), "__default__"})
    if unknown:
        raise ValueError(  # not KeyError: the session would turn that into "not found: ingest"
            f"no pipeline named {', '.join(unknown)}; registered pipelines: "
            f"{', '.join(pipeline_names())} (kedro run --pipelines <name>[,<name>…])"
        )
    pipelines = find_pipelines(raise_errors=True)
    if "full" in pipelines:
        pipelines["__default__"] = pipelines["full"]
    return pipelines

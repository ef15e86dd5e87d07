"""Project pipelines: each folder under ``pipelines/`` plus the composed ``full`` run."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

#: The paper's data flow, in order (docs/architecture.md). ``full`` joins whichever exist.
FULL_PIPELINE_STAGES: tuple[str, ...] = (
    "ingest",
    "sample_imbalanced",
    "train_cyclegan_per_class",
    "generate_synthetic",
    "train_baseline",
    "train_dag",
    "evaluate",
    "tsne_report",
)


def register_pipelines() -> dict[str, Pipeline]:
    """Register every pipeline package, ``full`` (the paper's chain) and ``__default__`` = full."""
    pipelines = find_pipelines(raise_errors=True)
    full = sum(
        (pipelines[name] for name in FULL_PIPELINE_STAGES if name in pipelines), Pipeline([])
    )
    pipelines["full"] = full
    pipelines["__default__"] = full
    return pipelines

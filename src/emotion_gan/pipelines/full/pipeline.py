"""full: the paper's whole chain, ingest → … → tsne_report, as one pipeline.

A package of its own (not assembled in the registry) because Kedro 1.x imports only the
pipelines a run asks for: ``kedro run --pipelines full`` must be able to find ``full`` alone.
"""

from importlib import import_module

from kedro.pipeline import Pipeline

#: The paper's data flow, in order (docs/architecture.md).
FULL_PIPELINE_STAGES: tuple[str, ...] = (
    "ingest",
    "sample_imbalanced",
    "train_judge",
    "train_cyclegan_per_class",
    "train_conditional_gan",
    "generate_synthetic",
    "train_baseline",
    "train_dag",
    "evaluate",
    "tsne_report",
    "transfer",
)


def create_pipeline(**kwargs) -> Pipeline:
    """Every stage's pipeline joined; Kedro orders the nodes by their data dependencies."""
    stages = (import_module(f"emotion_gan.pipelines.{name}") for name in FULL_PIPELINE_STAGES)
    return sum((stage.create_pipeline() for stage in stages), Pipeline([]))

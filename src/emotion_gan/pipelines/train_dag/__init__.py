"""train_dag pipeline."""

from emotion_gan.pipelines.train_dag.pipeline import create_pipeline

__all__ = ["create_pipeline"]

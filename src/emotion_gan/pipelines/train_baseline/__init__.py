"""train_baseline pipeline."""

from emotion_gan.pipelines.train_baseline.pipeline import create_pipeline

__all__ = ["create_pipeline"]

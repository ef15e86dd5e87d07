"""sample_imbalanced pipeline."""

from emotion_gan.pipelines.sample_imbalanced.pipeline import create_pipeline

__all__ = ["create_pipeline"]

"""evaluate pipeline."""

from emotion_gan.pipelines.evaluate.pipeline import create_pipeline

__all__ = ["create_pipeline"]

"""full pipeline: the paper's whole chain."""

from emotion_gan.pipelines.full.pipeline import create_pipeline

__all__ = ["create_pipeline"]

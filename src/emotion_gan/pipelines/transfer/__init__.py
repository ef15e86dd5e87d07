"""transfer pipeline."""

from emotion_gan.pipelines.transfer.pipeline import create_pipeline

__all__ = ["create_pipeline"]

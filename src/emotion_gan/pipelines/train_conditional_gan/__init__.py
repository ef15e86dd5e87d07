"""train_conditional_gan pipeline."""

from emotion_gan.pipelines.train_conditional_gan.pipeline import create_pipeline

__all__ = ["create_pipeline"]

"""train_judge pipeline."""

from emotion_gan.pipelines.train_judge.pipeline import create_pipeline

__all__ = ["create_pipeline"]

"""train_cyclegan_per_class pipeline."""

from emotion_gan.pipelines.train_cyclegan_per_class.pipeline import create_pipeline

__all__ = ["create_pipeline"]

"""generate_synthetic pipeline."""

from emotion_gan.pipelines.generate_synthetic.pipeline import create_pipeline

__all__ = ["create_pipeline"]

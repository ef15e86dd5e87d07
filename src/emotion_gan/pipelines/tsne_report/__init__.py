"""tsne_report pipeline."""

from emotion_gan.pipelines.tsne_report.pipeline import create_pipeline

__all__ = ["create_pipeline"]

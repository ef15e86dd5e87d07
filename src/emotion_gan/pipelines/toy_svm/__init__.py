"""toy_svm: the paper's §4.1 toy experiment (2-D Gaussians, linear SVM, CycleGAN on points)."""

from emotion_gan.pipelines.toy_svm.pipeline import create_pipeline

__all__ = ["create_pipeline"]

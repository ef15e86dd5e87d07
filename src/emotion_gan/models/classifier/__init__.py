"""The paper's emotion CNN (Appendix A, Table 3): the network, its training and inference.

``network``: :class:`EmotionCNN` and its fast local response norm; ``training``: settings, the
loop, DAG and one-run-per-seed; ``inference``: logits, labels and features of trained models;
``transfer``: fine-tuning on a small set (whole network or head only).
"""

from emotion_gan.models.classifier.inference import (
    InferenceOptions,
    penultimate_features,
    predict,
    predict_logits,
)
from emotion_gan.models.classifier.network import (
    LRN_ALPHA,
    LRN_BETA,
    LRN_K,
    LRN_SIZE,
    NORMALISATIONS,
    ChannelLRN,
    EmotionCNN,
    build_classifier,
)
from emotion_gan.models.classifier.training import (
    TrainingHistory,
    TrainingSettings,
    balanced_class_weights,
    log_prior,
    train_classifier,
    train_dag,
    train_seeds,
)
from emotion_gan.models.classifier.transfer import FINE_TUNE_MODES, fine_tune, predict_among

__all__ = [
    "FINE_TUNE_MODES",
    "LRN_ALPHA",
    "LRN_BETA",
    "LRN_K",
    "LRN_SIZE",
    "NORMALISATIONS",
    "ChannelLRN",
    "EmotionCNN",
    "InferenceOptions",
    "TrainingHistory",
    "TrainingSettings",
    "balanced_class_weights",
    "log_prior",
    "build_classifier",
    "fine_tune",
    "predict_among",
    "penultimate_features",
    "predict",
    "predict_logits",
    "train_classifier",
    "train_dag",
    "train_seeds",
]

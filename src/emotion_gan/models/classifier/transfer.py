"""Transfer of a trained :class:`EmotionCNN` to a small set: fine-tuning and restricted prediction.

The paper (§4.3, Table 2) pre-trains on FER2013 and fine-tunes on SFEW / JAFFE. Two modes:

* ``whole``: every weight keeps learning (the paper's setting);
* ``head``: the convolutions stay as trained on FER2013 — bit-identical — and only the fully
  connected layers (``fc1``, ``fc2``, ``logits``) adapt: fewer weights to fit from a few hundred
  faces.

Small sets often lack classes (no neutral; CK+'s contempt skipped): :func:`predict_among`
restricts the decision to the classes the set has, so a FER2013 model cannot lose points by
calling a JAFFE face "neutral" when JAFFE's test part has no neutral to be right about.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np

from emotion_gan.models.classifier.inference import InferenceOptions, predict_logits
from emotion_gan.models.classifier.network import EmotionCNN
from emotion_gan.models.classifier.training import (
    TrainingHistory,
    TrainingSettings,
    train_classifier,
)

FINE_TUNE_MODES = ("whole", "head")
#: The layers a ``head`` fine-tune trains; everything before them (the two convolution
#: blocks) is frozen.
HEAD_LAYERS = ("fc1", "fc2", "logits")


def fine_tune(
    source: EmotionCNN,
    images: np.ndarray,
    labels: np.ndarray,
    settings: TrainingSettings,
    *,
    mode: str,
    seed: int,
    run_name: str,
) -> tuple[EmotionCNN, TrainingHistory]:
    """A copy of ``source`` trained further on ``(images, labels)``; ``source`` is untouched.

    Raises:
        ValueError: ``mode`` is not one of :data:`FINE_TUNE_MODES`.
    """
    if mode not in FINE_TUNE_MODES:
        raise ValueError(f"transfer fine_tune.mode must be one of {FINE_TUNE_MODES}, got {mode!r}")
    model = copy.deepcopy(source)
    frozen = [
        p
        for name, p in model.named_parameters()
        if mode == "head" and name.partition(".")[0] not in HEAD_LAYERS
    ]
    for parameter in frozen:
        parameter.requires_grad_(False)
    try:
        history = train_classifier(model, images, labels, settings, seed=seed, run_name=run_name)
    finally:
        for parameter in frozen:
            parameter.requires_grad_(True)
    return model, history


def predict_among(
    model: EmotionCNN,
    images: np.ndarray,
    classes: Sequence[int],
    **options: InferenceOptions,
) -> np.ndarray:
    """Predicted labels (N,) when only ``classes`` can be the answer (argmax over those)."""
    logits = predict_logits(model, images, **options)
    if not len(logits):
        return np.zeros(0, np.int64)
    masked = np.full_like(logits, -np.inf)
    chosen = np.asarray(sorted(classes))
    masked[:, chosen] = logits[:, chosen]
    return masked.argmax(axis=1).astype(np.int64)

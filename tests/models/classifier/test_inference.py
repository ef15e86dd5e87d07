"""Inference with a trained classifier: bf16 agrees with fp32, features have the FC width."""

from __future__ import annotations

import numpy as np

from emotion_gan.models.classifier import (
    TrainingSettings,
    build_classifier,
    penultimate_features,
    predict,
    predict_logits,
    train_classifier,
)


def test_inference_bf16_agrees_with_fp32_and_features_have_fc_width(learnable) -> None:
    images, labels = learnable
    model = build_classifier(seed=0, conv_channels=[8, 16], fc_width=32)
    settings = TrainingSettings(steps=30, log_every=2, device="cpu")
    train_classifier(model, images, labels, settings, seed=0)
    fast = predict(model, images, batch_size=64, device="cpu", precision="bf16")
    exact = predict(model, images, batch_size=64, device="cpu", precision="fp32")
    assert fast.shape == (len(images),) and fast.dtype == np.int64
    assert np.mean(fast == exact) >= 0.97
    assert np.mean(exact == labels) > 0.5  # it learned the bands
    feats = penultimate_features(model, images[:5], device="cpu", precision="fp32")
    assert feats.shape == (5, 32) and (feats >= 0).all()  # after ReLU
    logits = predict_logits(model, images[:5], batch_size=2, device="cpu", precision="fp32")
    assert logits.shape == (5, 7)
    np.testing.assert_array_equal(logits.argmax(axis=1), exact[:5])
    assert model.training is False
    assert predict(model, images[:0], device="cpu").shape == (0,)

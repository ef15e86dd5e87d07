"""The Table 3 CNN, its fast local response norm and its training loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from emotion_gan.models.classifier import (
    LRN_ALPHA,
    LRN_BETA,
    LRN_K,
    LRN_SIZE,
    ChannelLRN,
    EmotionCNN,
    TrainingDivergedError,
    TrainingSettings,
    balanced_class_weights,
    build_classifier,
    flip_crop,
    penultimate_features,
    predict,
    train_classifier,
    train_dag,
)
from emotion_gan.models.persistence import build_module, describe_module

FAST = {"log_every": 2, "device": "cpu"}


def _learnable(n: int = 140, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Class k = a bright band at row block k: trivially learnable, so a few steps show."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 7
    images = rng.integers(0, 60, (n, 48, 48)).astype(np.uint8)
    for i, k in enumerate(labels):
        images[i, 6 * k : 6 * k + 6] = 230
    return images, labels


def test_table3_shapes() -> None:
    model = EmotionCNN()
    pixels = torch.rand(2, 1, 48, 48) * 255
    conv1 = model.conv1(pixels)
    assert conv1.shape == (2, 64, 48, 48)  # 3×3, stride 1, same padding
    assert model.conv1.kernel_size == (3, 3) and model.conv2.kernel_size == (3, 3)
    assert model.conv2.weight.shape == (128, 64, 3, 3)  # [3, 3, 64, 128]
    # two 3×3 / stride-2 pools: 48 → 24 → 12, so FC-256 sees 128·12·12 values
    assert model.fc1.weight.shape == (256, 128 * 12 * 12)
    assert model.fc2.weight.shape == (256, 256)
    assert model.logits.weight.shape == (7, 256)
    assert model(pixels).shape == (2, 7)
    assert model.penultimate_features(pixels).shape == (2, 256)


def test_widths_configurable_and_config_rebuilds_module() -> None:
    small = build_classifier(seed=3, conv_channels=[8, 16], fc_width=32)
    assert small.config == {
        "conv_channels": [8, 16],
        "fc_width": 32,
        "num_classes": 7,
        "image_size": 48,
    }
    rebuilt = build_module(**describe_module(small))
    rebuilt.load_state_dict(small.state_dict())
    pixels = torch.rand(3, 1, 48, 48) * 255
    assert torch.equal(rebuilt(pixels), small(pixels))
    with pytest.raises(ValueError, match="two positive conv widths"):
        EmotionCNN(conv_channels=[8])


def test_build_classifier_is_seeded_without_touching_global_rng() -> None:
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a = build_classifier(seed=5)
    assert torch.equal(torch.rand(1), expected_next)
    b = build_classifier(seed=5)
    assert torch.equal(a.fc1.weight, b.fc1.weight)
    assert not torch.equal(a.fc1.weight, build_classifier(seed=6).fc1.weight)


def test_channel_lrn_equals_torch_local_response_norm_values_and_gradients() -> None:
    x = torch.randn(2, 16, 5, 5, dtype=torch.float64, requires_grad=True)
    ours = ChannelLRN(16).double()
    reference = nn.LocalResponseNorm(LRN_SIZE, alpha=LRN_ALPHA, beta=LRN_BETA, k=LRN_K)
    weights = torch.randn(2, 16, 5, 5, dtype=torch.float64)
    (ours(x) * weights).sum().backward()
    grad_ours = x.grad.clone()
    x.grad = None
    (reference(x) * weights).sum().backward()
    torch.testing.assert_close(ours(x), reference(x), rtol=1e-7, atol=1e-10)
    torch.testing.assert_close(grad_ours, x.grad, rtol=1e-7, atol=1e-10)


def test_balanced_class_weights_match_sklearn_formula() -> None:
    labels = np.array([0, 0, 0, 1, 2, 2])
    weights = balanced_class_weights(labels)
    # n / (K_present · count): 6 / (3·3), 6 / (3·1), 6 / (3·2); absent classes 0
    np.testing.assert_allclose(weights, [2 / 3, 2.0, 1.0, 0, 0, 0, 0])


def test_flip_crop_keeps_pixels_and_moves_them() -> None:
    batch = torch.arange(4 * 48 * 48, dtype=torch.float32).view(4, 1, 48, 48)
    out = flip_crop(batch, padding=4, generator=torch.Generator().manual_seed(0))
    assert out.shape == batch.shape
    for original, augmented in zip(batch, out, strict=True):
        # every output pixel comes from the same image (reflect padding, no new values)
        assert set(augmented.unique().tolist()) <= set(original.unique().tolist())
    assert not torch.equal(out, batch)
    # no padding, no flip: identity
    unflipped = flip_crop(batch, padding=0, generator=torch.Generator().manual_seed(0))
    flipped = torch.rand(4, generator=torch.Generator().manual_seed(0)) < 0.5
    for i in range(4):
        expected = batch[i].flip(-1) if flipped[i] else batch[i]
        assert torch.equal(unflipped[i], expected)


@pytest.mark.parametrize(
    "options",
    [{}, {"class_weighted": True}, {"balanced_sampling": True}, {"flip_crop": True}],
    ids=["plain", "class_weighted", "oversampled", "flip_crop"],
)
def test_training_moves_weights_and_lowers_loss(options: dict) -> None:
    images, labels = _learnable()
    model = build_classifier(seed=0, conv_channels=[8, 16], fc_width=32)
    before = model.fc1.weight.detach().clone()
    history = train_classifier(
        model, images, labels, TrainingSettings(steps=12, **FAST, **options), seed=0
    )
    assert not torch.equal(model.fc1.weight, before)
    assert history.steps == [2, 4, 6, 8, 10, 12]
    assert history.loss[-1] < history.loss[0]
    assert not model.training and model.fc1.weight.device.type == "cpu"


def test_training_is_deterministic_for_a_seed() -> None:
    images, labels = _learnable()
    settings = TrainingSettings(steps=4, flip_crop=True, balanced_sampling=True, **FAST)
    runs = []
    for seed in (1, 1, 2):
        model = build_classifier(seed=0, conv_channels=[8, 16], fc_width=32)
        runs.append(train_classifier(model, images, labels, settings, seed=seed).loss)
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_nan_guard_names_the_run_and_step_window() -> None:
    images, labels = _learnable(28)
    model = build_classifier(seed=0, conv_channels=[8, 16], fc_width=32)
    with torch.no_grad():
        model.fc2.weight[0, 0] = float("nan")
    with pytest.raises(
        TrainingDivergedError, match=r"plus_sad seed 2: loss became nan between steps 1 and 2"
    ):
        train_classifier(
            model,
            images,
            labels,
            TrainingSettings(steps=4, **FAST),
            seed=2,
            run_name="plus_sad seed 2",
        )


def test_bad_training_input_is_rejected_clearly() -> None:
    model = build_classifier(seed=0, conv_channels=[8, 16], fc_width=32)
    settings = TrainingSettings(steps=1, **FAST)
    with pytest.raises(ValueError, match=r"must be \(N, 48, 48\)"):
        train_classifier(model, np.zeros((3, 32, 32), np.uint8), np.zeros(3), settings, seed=0)
    with pytest.raises(ValueError, match=r"labels must lie in 0..6"):
        train_classifier(model, np.zeros((2, 48, 48), np.uint8), np.array([0, 7]), settings, seed=0)
    with pytest.raises(ValueError, match="one label per image"):
        train_classifier(model, np.zeros((3, 48, 48), np.uint8), np.zeros(2), settings, seed=0)


def test_dag_pretrains_then_finetunes_within_the_step_budget() -> None:
    images, labels = _learnable()
    generated = (images[labels != 6], labels[labels != 6])  # six generated classes, no neutral
    model = build_classifier(seed=0, conv_channels=[8, 16], fc_width=32)
    histories = train_dag(
        model,
        generated,
        (images, labels),
        TrainingSettings(steps=10, **FAST),
        pretrain_steps=4,
        seed=0,
    )
    assert histories["pretrain"].steps[-1] == 4
    assert histories["finetune"].steps[-1] == 6  # 4 + 6 = the same 10-step budget
    with pytest.raises(ValueError, match="pretrain_steps must lie in 0..10"):
        train_dag(
            model,
            generated,
            (images, labels),
            TrainingSettings(steps=10, **FAST),
            pretrain_steps=11,
            seed=0,
        )


def test_inference_bf16_agrees_with_fp32_and_features_have_fc_width() -> None:
    images, labels = _learnable()
    model = build_classifier(seed=0, conv_channels=[8, 16], fc_width=32)
    train_classifier(model, images, labels, TrainingSettings(steps=30, **FAST), seed=0)
    fast = predict(model, images, batch_size=64, device="cpu", precision="bf16")
    exact = predict(model, images, batch_size=64, device="cpu", precision="fp32")
    assert fast.shape == (len(images),) and fast.dtype == np.int64
    assert np.mean(fast == exact) >= 0.97
    assert np.mean(exact == labels) > 0.5  # it learned the bands
    feats = penultimate_features(model, images[:5], device="cpu", precision="fp32")
    assert feats.shape == (5, 32) and (feats >= 0).all()  # after ReLU

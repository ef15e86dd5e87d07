"""The Table 3 CNN and its fast local response norm."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from emotion_gan.models.classifier import (
    LRN_ALPHA,
    LRN_BETA,
    LRN_K,
    LRN_SIZE,
    ChannelLRN,
    EmotionCNN,
    build_classifier,
)
from emotion_gan.models.persistence import build_module, describe_module


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
        "normalisation": "lrn",
        "dropout": 0.0,
    }
    rebuilt = build_module(**describe_module(small))
    rebuilt.load_state_dict(small.state_dict())
    pixels = torch.rand(3, 1, 48, 48) * 255
    assert torch.equal(rebuilt(pixels), small(pixels))
    with pytest.raises(ValueError, match="two positive conv widths"):
        EmotionCNN(conv_channels=[8])


def test_a_model_saved_before_the_normalisation_option_rebuilds_as_table_3() -> None:
    """Configs written before ``normalisation`` / ``dropout`` existed lack both keys."""
    old_config = {"conv_channels": [8, 16], "fc_width": 32, "num_classes": 7, "image_size": 48}
    model = EmotionCNN(**old_config)
    assert isinstance(model.norm1, ChannelLRN) and model.config["dropout"] == 0.0


def test_batch_norm_blocks_compute_conv_bn_relu_pool() -> None:
    """conv → BN → pool → ReLU as built equals the textbook conv → BN → ReLU → pool, also with
    negative BN scales (ReLU commutes with max, not with BN — hence BN comes first)."""
    model = build_classifier(seed=1, conv_channels=[8, 16], fc_width=32, normalisation="batch")
    assert isinstance(model.norm1, nn.BatchNorm2d) and isinstance(model.norm2, nn.BatchNorm2d)
    assert model.conv1.bias is None and model.conv2.bias is None  # BN's shift replaces them
    with torch.no_grad():
        model.norm1.weight.uniform_(-1.0, 1.0)
        model.norm2.weight.uniform_(-1.0, 1.0)
    pixels = torch.rand(4, 1, 48, 48) * 255
    model.train()
    x = pixels * (2.0 / 255.0) - 1.0
    for conv, norm in ((model.conv1, model.norm1), (model.conv2, model.norm2)):
        x = F.max_pool2d(F.relu(norm(conv(x))), 3, stride=2, padding=1)
    expected = model.logits(F.relu(model.fc2(F.relu(model.fc1(x.flatten(1))))))
    model.norm1.reset_running_stats()
    model.norm2.reset_running_stats()
    torch.testing.assert_close(model(pixels), expected)
    assert model.eval()(pixels).shape == (4, 7)


def test_dropout_acts_only_while_training() -> None:
    plain = build_classifier(seed=2, conv_channels=[4, 8], fc_width=16)
    dropped = build_classifier(seed=2, conv_channels=[4, 8], fc_width=16, dropout=0.5)
    pixels = torch.rand(8, 1, 48, 48) * 255
    assert torch.equal(dropped.eval()(pixels), plain.eval()(pixels))
    dropped.train()
    torch.manual_seed(0)
    first = dropped(pixels)
    assert not torch.equal(first, dropped(pixels))
    assert not torch.equal(first, plain(pixels))


@pytest.mark.parametrize(
    ("option", "message"),
    [({"normalisation": "layer"}, "normalisation must be one of"), ({"dropout": 1.0}, "dropout")],
)
def test_bad_normalisation_or_dropout_is_refused(option: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EmotionCNN(conv_channels=[4, 8], fc_width=16, **option)


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

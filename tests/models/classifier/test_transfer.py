"""Fine-tuning: head-only freezes the convolutions bit for bit; predictions among given classes."""

import numpy as np
import pytest
import torch

from emotion_gan.models.classifier import (
    TrainingSettings,
    build_classifier,
    fine_tune,
    predict_among,
)

SMALL = {"conv_channels": [4, 8], "fc_width": 16}


def _source():
    return build_classifier(0, **SMALL)


def test_head_only_leaves_the_convolutions_bit_identical(learnable):
    source = _source()
    before = {k: v.clone() for k, v in source.state_dict().items()}
    settings = TrainingSettings(steps=5, batch_size=16, precision="fp32", log_every=5)
    model, history = fine_tune(source, *learnable, settings, mode="head", seed=0, run_name="t")
    for name in ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"):
        assert torch.equal(model.state_dict()[name], before[name]), name
    for name in ("fc1.weight", "fc2.weight", "logits.weight"):
        assert not torch.equal(model.state_dict()[name], before[name]), name
    assert all(torch.equal(v, before[k]) for k, v in source.state_dict().items())  # a copy
    assert all(p.requires_grad for p in model.parameters())  # the saved model trains again
    assert history.steps == [5]


def test_head_only_keeps_frozen_batch_norm_statistics(learnable):
    """A frozen batch norm must not re-estimate its running statistics on the small set."""
    source = build_classifier(0, **SMALL, normalisation="batch")
    before = {k: v.clone() for k, v in source.state_dict().items()}
    settings = TrainingSettings(steps=5, batch_size=16, precision="fp32", log_every=5)
    model, _ = fine_tune(source, *learnable, settings, mode="head", seed=0, run_name="t")
    for name, value in model.state_dict().items():
        if name.startswith(("conv", "norm")):
            assert torch.equal(value, before[name]), name
    assert model.train().norm1.training  # trainable again: batch norm follows train()
    whole, _ = fine_tune(source, *learnable, settings, mode="whole", seed=0, run_name="t")
    assert not torch.equal(whole.norm1.running_mean, before["norm1.running_mean"])


def test_whole_network_fine_tuning_moves_the_convolutions_too(learnable):
    source = _source()
    settings = TrainingSettings(steps=3, batch_size=16, precision="fp32")
    model, _ = fine_tune(source, *learnable, settings, mode="whole", seed=0, run_name="t")
    assert not torch.equal(model.conv1.weight, source.conv1.weight)


def test_an_unknown_mode_is_refused(learnable):
    with pytest.raises(ValueError, match=r"fine_tune\.mode must be one of \('whole', 'head'\)"):
        fine_tune(_source(), *learnable, TrainingSettings(steps=1), mode="top", seed=0,
                  run_name="t")  # fmt: skip


def test_predictions_are_restricted_to_the_classes_given(learnable):
    images, _ = learnable
    model = _source()
    free = predict_among(model, images, range(7), precision="fp32")
    only = predict_among(model, images, [0, 3, 5], precision="fp32")
    assert set(only.tolist()) <= {0, 3, 5}
    keep = np.isin(free, [0, 3, 5])  # where the free argmax was allowed, nothing changes
    assert np.array_equal(only[keep], free[keep])

"""The classifier's training loop, DAG schedule and one-run-per-seed helper."""

from __future__ import annotations

import functools
import logging

import numpy as np
import pytest
import torch

from emotion_gan.models.classifier import (
    EmotionCNN,
    TrainingSettings,
    balanced_class_weights,
    build_classifier,
    log_prior,
    train_classifier,
    train_dag,
    train_seeds,
)
from emotion_gan.models.training.runtime import NonFiniteLossError

FAST = {"log_every": 2, "device": "cpu"}
SMALL = {"conv_channels": [8, 16], "fc_width": 32}

Data = tuple[np.ndarray, np.ndarray]


def test_balanced_class_weights_match_sklearn_formula() -> None:
    labels = np.array([0, 0, 0, 1, 2, 2])
    weights = balanced_class_weights(labels)
    # n / (K_present · count): 6 / (3·3), 6 / (3·1), 6 / (3·2); absent classes 0
    np.testing.assert_allclose(weights, [2 / 3, 2.0, 1.0, 0, 0, 0, 0])


@pytest.mark.parametrize(
    "options",
    [{}, {"class_weighted": True}, {"balanced_sampling": True}, {"flip_crop": True}],
    ids=["plain", "class_weighted", "oversampled", "flip_crop"],
)
def test_training_moves_weights_and_lowers_loss(options: dict, learnable: Data) -> None:
    images, labels = learnable
    model = build_classifier(seed=0, **SMALL)
    before = model.fc1.weight.detach().clone()
    history = train_classifier(
        model, images, labels, TrainingSettings(steps=12, **FAST, **options), seed=0
    )
    assert not torch.equal(model.fc1.weight, before)
    assert history.steps == [2, 4, 6, 8, 10, 12]
    assert history.loss[-1] < history.loss[0]
    assert not model.training and model.fc1.weight.device.type == "cpu"


def test_training_is_deterministic_for_a_seed(learnable: Data) -> None:
    images, labels = learnable
    settings = TrainingSettings(steps=4, flip_crop=True, balanced_sampling=True, **FAST)
    runs = []
    for seed in (1, 1, 2):
        model = build_classifier(seed=0, **SMALL)
        runs.append(train_classifier(model, images, labels, settings, seed=seed).loss)
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_nan_guard_names_the_run_and_step_window(learnable: Data) -> None:
    images, labels = learnable
    model = build_classifier(seed=0, **SMALL)
    with torch.no_grad():
        model.fc2.weight[0, 0] = float("nan")
    with pytest.raises(
        NonFiniteLossError, match=r"plus_sad seed 2: loss became nan between steps 1 and 2"
    ):
        train_classifier(
            model,
            images[:28],
            labels[:28],
            TrainingSettings(steps=4, **FAST),
            seed=2,
            run_name="plus_sad seed 2",
        )


def test_bad_training_input_is_rejected_clearly() -> None:
    model = build_classifier(seed=0, **SMALL)
    settings = TrainingSettings(steps=1, **FAST)
    with pytest.raises(ValueError, match=r"must be \(N, 48, 48\)"):
        train_classifier(model, np.zeros((3, 32, 32), np.uint8), np.zeros(3), settings, seed=0)
    with pytest.raises(ValueError, match=r"labels must lie in 0..6"):
        train_classifier(model, np.zeros((2, 48, 48), np.uint8), np.array([0, 7]), settings, seed=0)
    with pytest.raises(ValueError, match="one label per image"):
        train_classifier(model, np.zeros((3, 48, 48), np.uint8), np.zeros(2), settings, seed=0)


def test_cuda_without_cuda_is_a_clear_error(learnable: Data) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    images, labels = learnable
    settings = TrainingSettings(steps=1, device="cuda")
    with pytest.raises(ValueError, match="'cuda' requested but CUDA is not available"):
        train_classifier(build_classifier(seed=0, **SMALL), images, labels, settings, seed=0)


def test_dag_pretrains_then_finetunes_within_the_step_budget(learnable: Data) -> None:
    images, labels = learnable
    generated = (images[labels != 6], labels[labels != 6])  # six generated classes, no neutral
    model = build_classifier(seed=0, **SMALL)
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


def test_train_seeds_builds_and_trains_one_model_per_seed_in_order(
    learnable: Data, caplog: pytest.LogCaptureFixture
) -> None:
    images, labels = learnable
    settings = TrainingSettings(steps=2, **FAST)
    seen: list[int] = []

    def train_one(model: EmotionCNN, seed: int) -> list[float]:
        seen.append(seed)
        return train_classifier(model, images, labels, settings, seed=seed).loss

    with caplog.at_level(logging.INFO, logger="emotion_gan.models.classifier.training"):
        models, results = train_seeds([3, 1], SMALL, train_one, run_name="baseline")
    again, again_results = train_seeds([3, 1], SMALL, train_one, run_name="baseline")

    assert seen == [3, 1, 3, 1]
    assert list(models) == list(results) == ["3", "1"]
    assert not torch.equal(models["3"].fc1.weight, models["1"].fc1.weight)
    for seed in ("3", "1"):  # deterministic: same seeds, same weights and losses
        assert torch.equal(models[seed].fc1.weight, again[seed].fc1.weight)
        assert results[seed] == again_results[seed]
    assert models["3"].config["fc_width"] == 32
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("baseline seed 3: trained in ") for m in messages)
    assert any(m.startswith("baseline seed 1: trained in ") for m in messages)


def test_train_seeds_refuses_an_empty_seed_list() -> None:
    def train_one(model: EmotionCNN, seed: int) -> None:
        raise AssertionError("nothing may be trained")

    with pytest.raises(ValueError, match=r"classifier.seeds is empty: list at least one seed"):
        train_seeds([], SMALL, train_one, run_name="baseline")


def test_a_diverging_classifier_is_stopped_before_it_is_saved(make_imageset) -> None:
    faces = make_imageset((6,) * 7)
    settings = TrainingSettings(steps=40, batch_size=16, learning_rate=1e8, log_every=10,
                                device="cpu", precision="fp32")  # fmt: skip
    with pytest.raises(NonFiniteLossError, match=r"diverged .*learning_rate"):
        train_classifier(build_classifier(0, conv_channels=[4, 8], fc_width=16), faces.images,
                         faces.labels, settings, seed=0, run_name="baseline")  # fmt: skip


# On blank images the CNN can only learn a constant output, so the optimum of each loss is
# known in closed form: plain cross-entropy predicts the class prior π, the class-weighted
# and the logit-adjusted (τ = 1) losses predict uniformly. Logits differ by exactly τ·log π.
BLANK_COUNTS = (20, 2, 10, 40, 15, 8, 5)
CONVERGE = {  # full batch: the exact gradient, so 100 steps reach the optimum closely
    "steps": 100,
    "learning_rate": 0.1,
    "adam_betas": (0.9, 0.999),
    "log_every": 50,
    "device": "cpu",
    "precision": "fp32",
    "batch_size": sum(BLANK_COUNTS),
}


@functools.cache
def _constant_logits(**options: object) -> np.ndarray:
    labels = np.repeat(np.arange(7), BLANK_COUNTS)
    images = np.zeros((len(labels), 48, 48), np.uint8)
    model = build_classifier(seed=0, conv_channels=[4, 8], fc_width=8)
    train_classifier(model, images, labels, TrainingSettings(**CONVERGE, **options), seed=0)
    with torch.no_grad():
        logits = model(torch.zeros(1, 1, 48, 48))[0].double().numpy()
    return logits - logits.mean()


def test_log_prior_is_finite_for_an_absent_class() -> None:
    prior = log_prior(np.array([0, 0, 1, 1]))
    np.testing.assert_allclose(prior[:2], np.log(0.5))
    assert np.isfinite(prior).all() and (prior[2:] < prior[:2].min()).all()


def test_logit_adjusted_loss_shifts_the_decision_by_exactly_tau_log_prior() -> None:
    centred_log_prior = np.log(np.array(BLANK_COUNTS) / sum(BLANK_COUNTS))
    centred_log_prior -= centred_log_prior.mean()
    plain = _constant_logits()
    np.testing.assert_allclose(plain, centred_log_prior, atol=0.05)  # predicts the prior
    for tau in (0.5, 1.0):
        adjusted = _constant_logits(logit_adjustment=tau)
        np.testing.assert_allclose(plain - adjusted, tau * centred_log_prior, atol=0.05)
    # τ = 1 (balanced softmax): every class equally likely on an uninformative face
    assert np.ptp(_constant_logits(logit_adjustment=1.0)) < 0.1


def test_deferred_reweighting_switches_the_weights_on_late() -> None:
    settings = TrainingSettings(steps=10, class_weighted=True, reweight_from=0.8)
    assert [settings.weighted_at(step) for step in range(1, 11)] == [False] * 8 + [True] * 2
    assert TrainingSettings(steps=10, class_weighted=True).weighted_at(1)
    assert not TrainingSettings(steps=10, reweight_from=0.5).weighted_at(10)
    # the late, weighted phase re-balances the decision: uniform on the blank task, as
    # class weights throughout would give, while the plain loss would predict the prior
    deferred = _constant_logits(class_weighted=True, reweight_from=0.5)
    assert np.ptp(deferred) < 0.3
    assert np.ptp(_constant_logits()) > 2.5  # the log-prior spans log(20 / 1) = 3.0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"reweight_from": 1.0}, "reweight_from must lie in"),
        ({"logit_adjustment": -1.0}, "logit_adjustment"),
    ],
)
def test_rebalancing_settings_are_range_checked(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainingSettings(steps=1, **options)

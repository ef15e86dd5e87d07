"""train_dag nodes: the pre-training set and the pre-train + fine-tune budget split."""

from __future__ import annotations

import pytest

from emotion_gan.imageset import ImageSet
from emotion_gan.pipelines.train_dag.nodes import select_pretraining_set, train_dag_classifiers

TINY_CLASSIFIER = {
    "architecture": {"conv_channels": [4, 8], "fc_width": 16},
    "seeds": [3],
    "training": {"steps": 6, "log_every": 1, "device": "cpu", "batch_size": 8},
}
DAG = {"pretrain_fraction": 0.5, "generated_classes": "all", "pretrain_includes_original": False}


@pytest.fixture
def sample(make_imageset) -> ImageSet:
    return make_imageset((6,) * 7, seed=1)


@pytest.fixture
def augmented(sample, make_imageset) -> ImageSet:
    generated = make_imageset((4, 4, 4, 4, 4, 4, 0), seed=2, origin="generated")
    return ImageSet.concat([sample, generated])


def test_pretraining_set_is_generated_only_unless_asked(sample, augmented):
    generated_only = select_pretraining_set(sample, augmented, DAG)
    assert set(generated_only.origin) == {"generated"}
    assert generated_only.class_counts()["neutral"] == 0  # the reference class is not generated
    assert len(generated_only) == 24
    with_real = select_pretraining_set(
        sample, augmented, {**DAG, "pretrain_includes_original": True}
    )
    assert len(with_real) == 24 + len(sample)


def test_dag_splits_the_common_step_budget(sample, augmented):
    pretraining = select_pretraining_set(sample, augmented, DAG)
    models, summary = train_dag_classifiers(pretraining, sample, TINY_CLASSIFIER, DAG)
    assert list(models) == ["3"]
    history = summary["loss_history"]["3"]
    assert history["pretrain"]["step"][-1] == 3 and history["finetune"]["step"][-1] == 3
    assert summary["variant"]["pretrain_steps"] == 3 and summary["steps"] == 6
    assert summary["pretraining_set"]["generated"]["angry"] == 4
    with pytest.raises(ValueError, match="pretrain_fraction must be in"):
        train_dag_classifiers(pretraining, sample, TINY_CLASSIFIER, {**DAG, "pretrain_fraction": 2})

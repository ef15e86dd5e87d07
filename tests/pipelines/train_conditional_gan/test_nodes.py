"""train_conditional_gan nodes and pipeline shape (tiny networks, a few steps)."""

from __future__ import annotations

import pandas as pd
import pytest
import torch
from matplotlib.figure import Figure

from emotion_gan.models.training.checkpoints import InMemoryCheckpointStore
from emotion_gan.pipelines.train_conditional_gan import create_pipeline
from emotion_gan.pipelines.train_conditional_gan.nodes import (
    plot_loss_curve,
    release_checkpoints,
    train_conditional_generator,
    training_faces,
)

TINY = {
    "architecture": {"ngf": 4, "n_blocks": 1, "ndf": 4, "n_layers": 3},
    "training": {"steps": 3, "batch_size": 2, "device": "cpu", "checkpoint_every": 1},
    "augment_pad": 2,
    "resume": True,
}
COLUMNS = {"step", "lr", "seconds", "loss_d_adv", "loss_d_domain", "loss_g_adv"} | {
    "loss_g_domain",
    "reconstruction",
}


def test_one_model_for_every_class_released_after_its_save() -> None:
    pipe = create_pipeline()
    assert pipe.inputs() == {
        "train_sample",
        "conditional_gan_checkpoints",
        "params:conditional_gan",
    }
    assert pipe.outputs() == {"conditional_gan_loss_curve"}
    assert {"conditional_gan", "conditional_gan_history"} <= pipe.all_outputs()
    (release,) = [n for n in pipe.nodes if n.name == "release_conditional_checkpoints"]
    assert set(release.inputs) == {"conditional_gan", "conditional_gan_checkpoints"}


def test_every_emotion_needs_training_faces(make_imageset) -> None:
    faces, labels = training_faces(make_imageset((2, 1, 2, 2, 2, 2, 3)))
    assert faces.shape == (14, 48, 48) and labels.tolist().count(1) == 1
    with pytest.raises(ValueError, match=r"classes \['disgust'\] have no images in train_sample"):
        training_faces(make_imageset((2, 0, 2, 2, 2, 2, 3)))


def test_training_keeps_the_last_checkpoint_until_the_models_are_released(make_imageset):
    sample, store = make_imageset((2, 2, 2, 2, 2, 2, 3)), InMemoryCheckpointStore()
    modules, history = train_conditional_generator(sample, store, TINY)
    assert set(modules) == {"G", "D"} and not any(m.training for m in modules.values())
    assert isinstance(history, pd.DataFrame) and set(history.columns) == COLUMNS
    assert history["step"].tolist() == [1, 2, 3]
    assert store.latest()[0] == 3

    again, history_again = train_conditional_generator(sample, store, TINY)  # resumes at the end
    assert history_again.equals(history)
    assert all(
        torch.equal(modules[name].state_dict()[key], value)
        for name, module in again.items()
        for key, value in module.state_dict().items()
    )
    with pytest.raises(KeyError, match=r"lacks \['D'\]"):
        release_checkpoints({"G": modules["G"]}, store)
    assert store.latest()[0] == 3
    release_checkpoints(modules, store)
    assert store.latest() is None
    _, fresh = train_conditional_generator(sample, store, {**TINY, "resume": False})
    assert len(fresh) == 3


def test_loss_curve_has_generator_and_discriminator_panels() -> None:
    history = pd.DataFrame({c: [1.0, 0.5, 0.25] for c in COLUMNS} | {"step": [1, 2, 3]})
    figure = plot_loss_curve(history, TINY)
    assert isinstance(figure, Figure) and len(figure.axes) == 2
    assert len(figure.axes[0].lines) == 6 and len(figure.axes[1].lines) == 4  # raw + smoothed

"""train_cyclegan_per_class nodes and pipeline shape (tiny networks, a few steps)."""

from __future__ import annotations

import pandas as pd
import pytest
import torch
import yaml
from matplotlib.figure import Figure

from emotion_gan.models.training.checkpoints import InMemoryCheckpointStore
from emotion_gan.pipelines.train_cyclegan_per_class import create_pipeline
from emotion_gan.pipelines.train_cyclegan_per_class.nodes import (
    plot_loss_curve,
    release_checkpoints,
    select_domain_faces,
    train_cyclegan_for_target_class,
)
from emotion_gan.vocabulary import TARGET_CLASSES
from tests.conftest import PROJECT_ROOT

TINY = {
    "reference_class": "neutral",
    "architecture": {"ngf": 4, "n_blocks": 1, "ndf": 4, "n_layers": 1},
    "training": {"steps": 3, "batch_size": 2, "device": "cpu", "checkpoint_every": 1},
    "augment_pad": 2,
    "resume": True,
}
COLUMNS = {"step", "lr", "loss_g", "loss_f", "cycle", "identity", "loss_d_r", "loss_d_t", "seconds"}


def test_one_namespace_per_non_reference_class_sharing_train_sample() -> None:
    pipe = create_pipeline()
    assert TARGET_CLASSES == ("angry", "disgust", "fear", "happy", "sad", "surprise")
    assert {n.namespace for n in pipe.nodes} == set(TARGET_CLASSES)
    assert pipe.inputs() == {
        "train_sample",
        "params:cyclegan",
        *(f"{t}.cyclegan_checkpoints" for t in TARGET_CLASSES),
        *(f"params:{t}.target_class" for t in TARGET_CLASSES),
    }
    # Checkpoints are released by a node that needs the saved models, i.e. after the save.
    releases = {n.namespace: n for n in pipe.nodes if n.name.endswith(".release_checkpoints")}
    assert {t: set(n.inputs) for t, n in releases.items()} == {
        t: {f"{t}.cyclegan", f"{t}.cyclegan_checkpoints"} for t in TARGET_CLASSES
    }


def test_base_parameters_name_every_namespace() -> None:
    params = yaml.safe_load(
        (PROJECT_ROOT / "conf/base/parameters_train_cyclegan_per_class.yml").read_text()
    )
    assert {t: params[t]["target_class"] for t in TARGET_CLASSES} == {t: t for t in TARGET_CLASSES}
    assert params["cyclegan"]["reference_class"] == "neutral"


def test_domains_are_training_faces_of_reference_and_target(make_imageset) -> None:
    sample = make_imageset((3, 2, 3, 3, 3, 3, 4))
    reference, target = select_domain_faces(sample, "neutral", "disgust")
    assert (len(reference), len(target)) == (4, 2)
    with pytest.raises(ValueError, match="target class 'disgust' has no images in train_sample"):
        select_domain_faces(make_imageset((3, 0, 3, 3, 3, 3, 3)), "neutral", "disgust")
    with pytest.raises(ValueError, match="is the reference class"):
        select_domain_faces(sample, "neutral", "neutral")


def test_training_keeps_the_last_checkpoint_until_the_models_are_released(make_imageset):
    store = InMemoryCheckpointStore()
    modules, history = train_cyclegan_for_target_class(
        make_imageset((2, 2, 2, 2, 2, 2, 3)), store, TINY, "disgust"
    )
    assert set(modules) == {"G", "F", "D_R", "D_T"}
    assert all(not m.training for m in modules.values())
    assert isinstance(history, pd.DataFrame) and set(history.columns) == COLUMNS
    assert history["step"].tolist() == [1, 2, 3]
    assert store.latest()[0] == 3  # a crash before the catalog saves the models loses nothing

    with pytest.raises(KeyError, match="lacks \\['D_T'\\]"):
        release_checkpoints({k: v for k, v in modules.items() if k != "D_T"}, store)
    assert store.latest()[0] == 3
    release_checkpoints(modules, store)
    assert store.latest() is None


def test_a_crash_before_the_save_resumes_at_the_end(make_imageset) -> None:
    sample, store = make_imageset((2, 2, 2, 2, 2, 2, 3)), InMemoryCheckpointStore()
    first, history = train_cyclegan_for_target_class(sample, store, TINY, "fear")
    again, history_again = train_cyclegan_for_target_class(sample, store, TINY, "fear")
    assert history_again.equals(history)
    assert all(
        torch.equal(first[name].state_dict()[key], value)
        for name, module in again.items()
        for key, value in module.state_dict().items()
    )


def test_resume_false_discards_a_stale_checkpoint(make_imageset) -> None:
    sample = make_imageset((2, 2, 2, 2, 2, 2, 3))
    store = InMemoryCheckpointStore()
    store.save(1, {"fingerprint": {"seed": 123}})  # from some other run
    with pytest.raises(ValueError, match="different settings"):
        train_cyclegan_for_target_class(sample, store, TINY, "sad")
    store.save(1, {"fingerprint": {"seed": 123}})
    _, history = train_cyclegan_for_target_class(sample, store, {**TINY, "resume": False}, "sad")
    assert len(history) == 3


def test_loss_curve_has_generator_and_discriminator_panels() -> None:
    history = pd.DataFrame({c: [1.0, 0.5, 0.25] for c in COLUMNS} | {"step": [1, 2, 3]})
    figure = plot_loss_curve(history, "disgust", TINY)
    assert isinstance(figure, Figure) and len(figure.axes) == 2
    assert len(figure.axes[0].lines) == 8 and len(figure.axes[1].lines) == 4  # raw + smoothed

"""TorchModelDataset: modules come back rebuilt, with weights, ready, and never via pickle."""

import pytest
import torch
from kedro.io import DatasetError, Version
from torch import nn

from emotion_gan.datasets import TorchModelDataset
from emotion_gan.models.persistence import build_module, describe_module


class TinyNet(nn.Module):
    """Stand-in for any persistable project module."""

    def __init__(self, width: int = 3) -> None:
        super().__init__()
        self.config = {"width": width}
        self.layer = nn.Linear(2, width)


@pytest.fixture
def registered(monkeypatch):
    """Make TinyNet look like a class inside emotion_gan.models (the only rebuildable place)."""
    from emotion_gan.models import persistence

    monkeypatch.setattr(TinyNet, "__module__", "emotion_gan.models.persistence")
    monkeypatch.setattr(persistence, "TinyNet", TinyNet, raising=False)


def test_single_module_round_trip(tmp_path, registered):
    net = TinyNet(width=5)
    dataset = TorchModelDataset(filepath=str(tmp_path / "net.pt"), version=Version(None, None))
    dataset.save(net)
    loaded = TorchModelDataset(
        filepath=str(tmp_path / "net.pt"), version=Version(None, None)
    ).load()
    assert isinstance(loaded, TinyNet) and not loaded.training
    assert loaded.config == {"width": 5}
    torch.testing.assert_close(loaded.layer.weight, net.layer.weight)


def test_versions_accumulate_and_an_earlier_model_loads(tmp_path, registered):
    path = str(tmp_path / "net.pt")
    first, second = TinyNet(width=2), TinyNet(width=6)
    TorchModelDataset(filepath=path, version=Version(None, "2026-01-01T00.00.00.000Z")).save(first)
    TorchModelDataset(filepath=path, version=Version(None, "2026-01-02T00.00.00.000Z")).save(second)
    assert TorchModelDataset(filepath=path, version=Version(None, None)).load().config == {
        "width": 6
    }
    earlier = TorchModelDataset(filepath=path, version=Version("2026-01-01T00.00.00.000Z", None))
    torch.testing.assert_close(earlier.load().layer.weight, first.layer.weight)


def test_dict_of_modules_round_trip(tmp_path, registered):
    nets = {"generator_g": TinyNet(2), "generator_f": TinyNet(4)}
    dataset = TorchModelDataset(filepath=str(tmp_path / "cyclegan.pt"))
    dataset.save(nets)
    loaded = dataset.load()
    assert set(loaded) == {"generator_g", "generator_f"}
    torch.testing.assert_close(loaded["generator_f"].layer.bias, nets["generator_f"].layer.bias)


def test_module_without_config_cannot_be_saved(tmp_path):
    with pytest.raises(DatasetError, match="no `config` dict"):
        TorchModelDataset(filepath=str(tmp_path / "x.pt")).save(nn.Linear(1, 1))
    with pytest.raises(DatasetError, match="saves an nn.Module or a dict"):
        TorchModelDataset(filepath=str(tmp_path / "x.pt")).save([1, 2])


def test_only_project_classes_are_rebuilt():
    with pytest.raises(ValueError, match="refusing to rebuild"):
        build_module("os:system", {})
    assert describe_module(TinyNet(7))["config"] == {"width": 7}


def test_corrupt_model_file_names_the_path(tmp_path):
    (tmp_path / "bad.pt").write_bytes(b"garbage")
    with pytest.raises(DatasetError, match=r"bad\.pt"):
        TorchModelDataset(filepath=str(tmp_path / "bad.pt")).load()


def test_a_classifier_saved_under_its_old_architecture_name_loads(tmp_path):
    """Models saved before models/classifier.py became a package name the old location."""
    from emotion_gan.models.classifier import EmotionCNN, build_classifier

    net = build_classifier(seed=1, conv_channels=[4, 8], fc_width=16)
    dataset = TorchModelDataset(filepath=str(tmp_path / "classifier.pt"))
    dataset.save({"0": net})
    bundle = torch.load(tmp_path / "classifier.pt", weights_only=True)
    assert bundle["modules"]["0"]["architecture"] == (
        "emotion_gan.models.classifier.network:EmotionCNN"
    )
    bundle["modules"]["0"]["architecture"] = "emotion_gan.models.classifier:EmotionCNN"
    torch.save(bundle, tmp_path / "classifier.pt")

    loaded = TorchModelDataset(filepath=str(tmp_path / "classifier.pt")).load()["0"]
    assert isinstance(loaded, EmotionCNN) and loaded.config == net.config
    torch.testing.assert_close(loaded.fc1.weight, net.fc1.weight)
    assert build_module("emotion_gan.models.classifier:EmotionCNN", net.config).config == (
        net.config
    )

"""``TorchModelDataset``: a versioned file holding one ``nn.Module`` or a dict of them.

Why not kedro-datasets' experimental PyTorchDataset: it saves only a ``state_dict``, so loading
needs the code *and* the constructor arguments from somewhere else. Here every module is saved
with its architecture name and ``config`` (see :mod:`emotion_gan.models.persistence`), loaded
with ``weights_only=True`` (no pickle code execution), and handed back ready in ``eval()`` mode.
A dict (e.g. a CycleGAN's G, F, D_R, D_T, or one classifier per seed) is saved as one file so
its parts can never come from different versions.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import torch
from kedro.io.core import DatasetError
from torch import nn

from emotion_gan.datasets._base import AtomicVersionedDataset
from emotion_gan.models.persistence import build_module, describe_module

_FORMAT = "emotion_gan.torch_model/1"
Modules = nn.Module | dict[str, nn.Module]


class TorchModelDataset(AtomicVersionedDataset[Modules, Modules]):
    """Save/load a module (or ``{name: module}``) with the config needed to rebuild it.

    Example catalog entry::

        "{target_class}.cyclegan":
          type: emotion_gan.datasets.TorchModelDataset
          filepath: data/06_models/cyclegan/{target_class}.pt
          versioned: true
    """

    def load(self) -> Modules:
        payload, path = self._read_bytes()
        try:
            bundle = torch.load(io.BytesIO(payload), map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - torch raises many types for a bad file
            raise DatasetError(
                f"cannot read model file {path}: {exc}. The file is corrupt or was not written by "
                "TorchModelDataset; delete that version folder and re-run its pipeline."
            ) from exc
        if not isinstance(bundle, dict) or bundle.get("format") != _FORMAT:
            raise DatasetError(f"{path} is not an emotion_gan model file (format {_FORMAT})")
        modules = {
            name: _rebuild(entry, f"{path}[{name}]") for name, entry in bundle["modules"].items()
        }
        return modules[""] if bundle["single"] else modules

    def save(self, data: Modules) -> None:
        if isinstance(data, nn.Module):
            modules, single = {"": data}, True
        elif isinstance(data, Mapping) and all(isinstance(m, nn.Module) for m in data.values()):
            modules, single = {str(k): m for k, m in data.items()}, False
        else:
            raise DatasetError(
                f"TorchModelDataset {self._filepath} saves an nn.Module or a dict of them, got "
                f"{type(data).__name__}"
            )
        bundle = {
            "format": _FORMAT,
            "single": single,
            "modules": {
                name: {
                    **describe_module(module),
                    "state_dict": {k: v.detach().cpu() for k, v in module.state_dict().items()},
                }
                for name, module in modules.items()
            },
        }
        buffer = io.BytesIO()
        torch.save(bundle, buffer)
        self._write_atomically(buffer.getvalue())


def _rebuild(entry: dict[str, Any], where: str) -> nn.Module:
    """Rebuild one module from its saved description, naming the file part on mismatch."""
    try:
        module = build_module(entry["architecture"], entry["config"])
        module.load_state_dict(entry["state_dict"])
    except Exception as exc:  # noqa: BLE001 - surface any rebuild failure with its location
        raise DatasetError(
            f"cannot rebuild {entry.get('architecture')!r} from {where}: {exc}. The code changed "
            "since the model was saved; re-train it or load an older project version."
        ) from exc
    return module.eval()

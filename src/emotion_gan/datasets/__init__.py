"""Kedro datasets of the project — the only code that touches files."""

from emotion_gan.datasets.checkpoint_dir import CheckpointDirDataset
from emotion_gan.datasets.fer2013 import Fer2013Dataset
from emotion_gan.datasets.image_folder import ImageFolderDataset
from emotion_gan.datasets.image_set import ImageSetDataset
from emotion_gan.datasets.report_folder import ReportFolderDataset
from emotion_gan.datasets.small_faces import SmallFacesDataset
from emotion_gan.datasets.synthetic_faces import SyntheticFacesDataset
from emotion_gan.datasets.torch_model import TorchModelDataset

__all__ = [
    "CheckpointDirDataset",
    "Fer2013Dataset",
    "ImageFolderDataset",
    "ImageSetDataset",
    "ReportFolderDataset",
    "SmallFacesDataset",
    "SyntheticFacesDataset",
    "TorchModelDataset",
]

"""Reader for class-folder face datasets (JAFFE / SFEW / CK+ style: ``<root>/<class>/*.png``,
images in sub-folders of a class folder included).

Why the spelling table: every public set names its folders differently (``anger``,
``disgusted``, ``happiness``, …). Folders that are not one of the paper's seven emotions (CK+'s
``contempt``) are skipped and reported, unless ``class_map`` maps them. Images are converted to
grayscale and resized to 48×48 like FER2013; the optional Haar-cascade face crop follows the
paper's SFEW preprocessing (§4.3).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from kedro.io import AbstractDataset, DatasetError

from emotion_gan.imageset import ImageSet
from emotion_gan.vocabulary import EMOTIONS, IMAGE_SIZE, label_of

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".pgm")
#: Image formats OpenCV cannot decode: refused with a list rather than silently dropped.
UNSUPPORTED_IMAGE_SUFFIXES = (".gif", ".webp", ".heic", ".avif")
CLASS_SPELLINGS: dict[str, str] = {
    "angry": "angry", "anger": "angry",
    "disgust": "disgust", "disgusted": "disgust",
    "fear": "fear", "fearful": "fear", "afraid": "fear",
    "happy": "happy", "happiness": "happy",
    "sad": "sad", "sadness": "sad",
    "surprise": "surprise", "surprised": "surprise",
    "neutral": "neutral",
}  # fmt: skip


def read_image_folder(
    root: str | Path,
    class_map: dict[str, str] | None = None,
    crop_faces: bool = False,
    centre_crop: bool = False,
) -> ImageSet:
    """Read ``root/<class>/<image>`` into an ImageSet (split ``"unsplit"``, origin ``"real"``).

    Args:
        root: folder holding one sub-folder per class.
        class_map: extra ``{folder name: emotion}`` entries, e.g. ``{"contempt": "disgust"}``.
        crop_faces: crop the largest Haar-cascade face before resizing; images where no face
            is found are kept whole, and their count is recorded in the metadata.
        centre_crop: cut the central square of a non-square image before resizing, instead
            of squashing it. Either way, non-square images and images smaller than 48×48
            (upscaled) are counted in the metadata and a warning names the first of them.

    Raises:
        DatasetError: missing root, no class folder, an empty class folder, or a corrupt
            image (named by path).
    """
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(
            f"image folder {root} does not exist; expected <root>/<class>/*.png (classes: "
            f"{', '.join(EMOTIONS)})"
        )
    spellings = {**CLASS_SPELLINGS, **{k.lower(): v for k, v in (class_map or {}).items()}}
    detector = _face_detector() if crop_faces else None
    images: list[np.ndarray] = []
    labels: list[int] = []
    skipped: list[str] = []
    tally = _Tally()
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        emotion = spellings.get(folder.name.lower())
        if emotion is None:
            skipped.append(folder.name)
            continue
        faces = _read_class_folder(folder, detector, centre_crop, tally)
        images.extend(faces)
        labels.extend([label_of(emotion)] * len(faces))
    if skipped:
        logger.warning(
            "Skipped class folders %s in %s: not one of the 7 emotions; map them with class_map",
            skipped,
            root,
        )
    if not images:
        raise DatasetError(f"no class folder in {root} matches an emotion ({', '.join(EMOTIONS)})")
    tally.warn(centre_crop)
    return ImageSet.from_arrays(
        np.stack(images),
        np.array(labels),
        split="unsplit",
        metadata={
            "source": "image_folder",
            "path": str(root),
            "skipped_folders": skipped,
            "crop_faces": crop_faces,
            "faces_not_found": tally.no_face,
            "centre_crop": centre_crop,
            "non_square": len(tally.non_square),
            "upscaled": len(tally.upscaled),
        },
    )


@dataclass
class _Tally:
    """What reading did to the images, counted so that none is reshaped without a word."""

    no_face: int = 0
    non_square: list[Path] = field(default_factory=list)
    upscaled: list[Path] = field(default_factory=list)

    def warn(self, centre_crop: bool) -> None:
        if self.non_square:
            how = (
                "centre-cropped to a square"
                if centre_crop
                else ("squashed to a square (centre_crop: true cuts the central square instead)")
            )
            logger.warning(
                "%d non-square images were %s, e.g. %s",
                len(self.non_square), how, self.non_square[0],
            )  # fmt: skip
        if self.upscaled:
            logger.warning(
                "%d images smaller than %d×%d were upscaled, e.g. %s",
                len(self.upscaled), IMAGE_SIZE, IMAGE_SIZE, self.upscaled[0],
            )  # fmt: skip


def _read_class_folder(
    folder: Path, detector: cv2.CascadeClassifier | None, centre_crop: bool, tally: _Tally
) -> list[np.ndarray]:
    """Every image of one class folder as a 48×48 face; refuses an empty folder."""
    files = _class_images(folder)
    if not files:
        raise DatasetError(
            f"class folder {folder} holds no images ({', '.join(IMAGE_SUFFIXES)}); add images "
            "or remove the folder"
        )
    faces = []
    for path in files:
        face, found, (height, width) = _read_face(path, detector, centre_crop)
        tally.no_face += int(detector is not None and not found)
        if height != width:
            tally.non_square.append(path)
        if min(height, width) < IMAGE_SIZE:
            tally.upscaled.append(path)
        faces.append(face)
    return faces


def _class_images(folder: Path) -> list[Path]:
    """Every image file under ``folder``, sub-folders included (sorted, hidden files skipped).

    Why recursive: datasets ship classes split by subject or session (``sad/S01/*.png``); only
    reading the top level dropped half the images of such a set without a word. Hidden files
    (``.DS_Store``, macOS ``._*`` AppleDouble companions) are not images. Formats OpenCV cannot
    decode are refused with their paths, so no image is lost silently.
    """
    files = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]
    unsupported = [p for p in files if p.suffix.lower() in UNSUPPORTED_IMAGE_SUFFIXES]
    if unsupported:
        listed = ", ".join(str(p) for p in sorted(unsupported)[:5])
        raise DatasetError(
            f"{len(unsupported)} image(s) in {folder} are in a format that cannot be read "
            f"({listed}{', …' if len(unsupported) > 5 else ''}); convert them to PNG"
        )
    return sorted(p for p in files if p.suffix.lower() in IMAGE_SUFFIXES)


def _face_detector() -> cv2.CascadeClassifier:
    """OpenCV's bundled frontal-face Haar cascade (ships with opencv-python-headless)."""
    return cv2.CascadeClassifier(
        str(Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml")
    )


def _read_face(
    path: Path, detector: cv2.CascadeClassifier | None, centre_crop: bool = False
) -> tuple[np.ndarray, bool, tuple[int, int]]:
    """Read one image as 48×48 grayscale; optionally crop the largest detected face first.

    Returns the face, whether a face was detected, and the (height, width) that was resized.
    """
    encoded = np.fromfile(path, dtype=np.uint8)
    if encoded.size == 0:
        raise DatasetError(f"image {path} is empty (0 bytes); delete or replace it")
    gray = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)
    if gray is None:
        raise DatasetError(f"corrupt or unreadable image {path}; delete or replace it")
    found = False
    if detector is not None:
        faces = detector.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5)
        if len(faces):
            x, y, w, h = max(faces, key=lambda f: f[2] * f[3])
            gray, found = gray[y : y + h, x : x + w], True
    shape = gray.shape[:2]
    if centre_crop and shape[0] != shape[1]:
        side = min(shape)
        top, left = (shape[0] - side) // 2, (shape[1] - side) // 2
        gray = gray[top : top + side, left : left + side]
    resized = cv2.resize(gray, (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_AREA)
    return resized, found, shape


class ImageFolderDataset(AbstractDataset[None, ImageSet]):
    """Load-only Kedro dataset over :func:`read_image_folder`.

    Example (conf/jaffe/catalog.yml)::

        faces_raw:
          type: emotion_gan.datasets.ImageFolderDataset
          path: data/01_raw/jaffe
          crop_faces: false
          centre_crop: true        # non-square images: central square, not squashed
          class_map: {contempt: disgust}
    """

    def __init__(
        self,
        *,
        path: str,
        class_map: dict[str, str] | None = None,
        crop_faces: bool = False,
        centre_crop: bool = False,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self._path = path
        self._class_map = class_map
        self._crop_faces = crop_faces
        self._centre_crop = centre_crop
        self.metadata = metadata

    def load(self) -> ImageSet:
        return read_image_folder(self._path, self._class_map, self._crop_faces, self._centre_crop)

    def save(self, data: ImageSet) -> None:
        raise DatasetError("ImageFolderDataset is read-only: raw image folders are never modified")

    def _describe(self) -> dict[str, Any]:
        return {
            "path": self._path,
            "class_map": self._class_map,
            "crop_faces": self._crop_faces,
            "centre_crop": self._centre_crop,
        }

    def _exists(self) -> bool:
        return Path(self._path).is_dir()

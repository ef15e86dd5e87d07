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
import re
from dataclasses import asdict, dataclass, field
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


#: Sub-folders of the root that hold given splits (SFEW style: ``<root>/train``, ``<root>/test``).
SPLIT_FOLDERS = ("train", "val", "test")
#: What to do with an image where ``crop_faces`` finds no face.
NO_FACE_ACTIONS = ("keep", "drop")


@dataclass(frozen=True)
class FolderOptions:
    """How a class-folder set is read (the :class:`ImageFolderDataset` arguments but the root).

    Attributes:
        class_map: extra ``{folder name: emotion}`` entries, e.g. ``{"contempt": "disgust"}``.
        crop_faces: crop the largest Haar-cascade face before resizing (the paper's SFEW
            preprocessing).
        no_face: ``"keep"`` an image where no face is found uncropped, or ``"drop"`` it; the
            count is in the metadata either way.
        centre_crop: cut the central square of a non-square image before resizing, instead
            of squashing it. Either way, non-square images and images smaller than 48×48
            (upscaled) are counted in the metadata and a warning names the first of them.
        subject_pattern: a regex searched in each file name whose first group is the subject
            (the person), e.g. ``^([A-Z]{2})\\.`` for JAFFE's ``KA.AN1.39.tiff`` or ``^(S\\d+)_``
            for CK+'s ``S005_001_00000011.png``; a file it does not match is refused by name.
            Without it subjects are unknown and splits can only be per image.
    """

    class_map: dict[str, str] | None = None
    crop_faces: bool = False
    no_face: str = "keep"
    centre_crop: bool = False
    subject_pattern: str | None = None

    def __post_init__(self) -> None:
        if self.no_face not in NO_FACE_ACTIONS:
            raise DatasetError(f"no_face must be one of {NO_FACE_ACTIONS}, got {self.no_face!r}")
        if self.subject_pattern is not None:
            try:
                compiled = re.compile(self.subject_pattern)
            except re.error as exc:
                raise DatasetError(
                    f"subject_pattern {self.subject_pattern!r} is not a valid regex: {exc}"
                ) from exc
            if compiled.groups < 1:
                raise DatasetError(
                    f"subject_pattern {self.subject_pattern!r} has no group: wrap the subject "
                    "id in parentheses, e.g. ^([A-Z]{2})\\."
                )


def read_image_folder(
    root: str | Path, options: FolderOptions | None = None, **option_values: Any
) -> ImageSet:
    """Read ``root/<class>/<image>`` (or ``root/{train,test}/<class>/<image>``) into an ImageSet.

    Split: ``"unsplit"``, or the name of the split folder (``train`` / ``val`` / ``test``) when
    the root holds ``train`` and ``test`` folders — a set that ships its own test part (SFEW).
    Origin ``"real"``; ``subject`` from ``subject_pattern`` (else unknown).

    Args:
        root: folder holding one sub-folder per class (or per given split).
        options: how to read it (:class:`FolderOptions`); or its fields as keywords.

    Raises:
        DatasetError: missing root, no class folder, an empty class folder, a corrupt image,
            or a file name ``subject_pattern`` does not match (each named by path).
    """
    root = Path(root)
    options = options or FolderOptions(**option_values)
    if not root.is_dir():
        raise DatasetError(
            f"image folder {root} does not exist; expected <root>/<class>/*.png (classes: "
            f"{', '.join(EMOTIONS)}) or <root>/train/<class>/*.png and <root>/test/<class>/*.png"
        )
    given = [root / name for name in SPLIT_FOLDERS if (root / name).is_dir()]
    split_roots = given if {"train", "test"} <= {p.name for p in given} else [root]
    spellings = {
        **CLASS_SPELLINGS,
        **{k.lower(): v for k, v in (options.class_map or {}).items()},
    }
    reader = _FolderReader(options, _face_detector() if options.crop_faces else None)
    has_splits = split_roots != [root]
    for split_root in split_roots:
        reader.read_split(split_root, spellings, split_root.name if has_splits else "unsplit")
    if reader.skipped:
        logger.warning(
            "Skipped class folders %s in %s: not one of the 7 emotions; map them with class_map",
            sorted(set(reader.skipped)),
            root,
        )
    if not reader.images:
        raise DatasetError(f"no class folder in {root} matches an emotion ({', '.join(EMOTIONS)})")
    reader.tally.warn(options)
    return ImageSet(
        np.stack(reader.images),
        np.array(reader.labels),
        np.array(reader.splits),
        np.full(len(reader.labels), "real"),
        {
            "source": "image_folder",
            "path": str(root),
            "given_splits": [p.name for p in split_roots] if has_splits else [],
            "skipped_folders": sorted(set(reader.skipped)),
            "crop_faces": options.crop_faces,
            "faces_not_found": reader.tally.no_face,
            "no_face": options.no_face,
            "centre_crop": options.centre_crop,
            "non_square": len(reader.tally.non_square),
            "upscaled": len(reader.tally.upscaled),
            "subject_pattern": options.subject_pattern,
        },
        np.array(reader.subjects),
    )


class _FolderReader:
    """Accumulates the faces, labels, splits and subjects of every class folder read."""

    def __init__(self, options: FolderOptions, detector: cv2.CascadeClassifier | None) -> None:
        self.options = options
        self.detector = detector
        self.pattern = re.compile(options.subject_pattern) if options.subject_pattern else None
        self.tally = _Tally()
        self.images: list[np.ndarray] = []
        self.labels: list[int] = []
        self.splits: list[str] = []
        self.subjects: list[str] = []
        self.skipped: list[str] = []

    def read_split(self, split_root: Path, spellings: dict[str, str], split: str) -> None:
        for folder in sorted(p for p in split_root.iterdir() if p.is_dir()):
            emotion = spellings.get(folder.name.lower())
            if emotion is None:
                self.skipped.append(folder.name)
                continue
            self.read_class(folder, label_of(emotion), split)

    def read_class(self, folder: Path, label: int, split: str) -> None:
        """Every image of one class folder as a 48×48 face; refuses an empty folder."""
        files = _class_images(folder)
        if not files:
            raise DatasetError(
                f"class folder {folder} holds no images ({', '.join(IMAGE_SUFFIXES)}); add "
                "images or remove the folder"
            )
        for path in files:
            face, found, (height, width) = _read_face(path, self.detector, self.options.centre_crop)
            if self.detector is not None and not found:
                self.tally.no_face += 1
                if self.options.no_face == "drop":
                    continue
            if height != width:
                self.tally.non_square.append(path)
            if min(height, width) < IMAGE_SIZE:
                self.tally.upscaled.append(path)
            self.images.append(face)
            self.labels.append(label)
            self.splits.append(split)
            self.subjects.append(self.subject_of(path))

    def subject_of(self, path: Path) -> str:
        if self.pattern is None:
            return ""
        match = self.pattern.search(path.name)
        if match is None or not match.group(1):
            raise DatasetError(
                f"file name {path.name!r} ({path}) does not match subject_pattern "
                f"{self.pattern.pattern!r}: rename it, fix the pattern, or drop subject_pattern "
                "(the split is then per image)"
            )
        return match.group(1)


@dataclass
class _Tally:
    """What reading did to the images, counted so that none is reshaped without a word."""

    no_face: int = 0
    non_square: list[Path] = field(default_factory=list)
    upscaled: list[Path] = field(default_factory=list)

    def warn(self, options: FolderOptions) -> None:
        if self.no_face:
            logger.warning(
                "No face found in %d images; they were %s (no_face: %s)",
                self.no_face,
                "kept uncropped" if options.no_face == "keep" else "dropped",
                options.no_face,
            )
        if self.non_square:
            how = (
                "centre-cropped to a square"
                if options.centre_crop
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

    Example (a JAFFE copy; conf/fer2013/catalog.yml has the runtime-parameter version)::

        small_faces_raw:
          type: emotion_gan.datasets.ImageFolderDataset
          path: data/01_raw/jaffe
          subject_pattern: '^([A-Z]{2})\\.'   # KA.AN1.39.tiff → subject KA
          centre_crop: true        # non-square images: central square, not squashed
          class_map: {contempt: disgust}

    ``subject_pattern`` and the rest are :class:`FolderOptions`; an empty ``subject_pattern``
    means none (so a runtime parameter can switch it off).
    """

    def __init__(
        self,
        *,
        path: str,
        class_map: dict[str, str] | None = None,
        crop_faces: bool = False,
        no_face: str = "keep",
        centre_crop: bool = False,
        subject_pattern: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self._path = path
        self._options = FolderOptions(
            class_map=class_map,
            crop_faces=crop_faces,
            no_face=no_face,
            centre_crop=centre_crop,
            subject_pattern=subject_pattern or None,
        )
        self.metadata = metadata

    def load(self) -> ImageSet:
        return read_image_folder(self._path, self._options)

    def save(self, data: ImageSet) -> None:
        raise DatasetError("ImageFolderDataset is read-only: raw image folders are never modified")

    def _describe(self) -> dict[str, Any]:
        return {"path": self._path, **asdict(self._options)}

    def _exists(self) -> bool:
        return Path(self._path).is_dir()

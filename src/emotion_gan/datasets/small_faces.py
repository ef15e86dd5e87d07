"""``SmallFacesDataset``: the transfer pipeline's small set — the user's class folders, or the
embedded lab set, rendered once into class folders.

Why files at all: the transfer pipeline's point is the user's own class-folder set (JAFFE,
SFEW, a product camera). With no folder given, the embedded default renders a posed lab set
(:func:`emotion_gan.sources.synthetic_faces.lab_face_sessions`) *into* ``data/01_raw/`` as
``<root>/<emotion>/S03.angry.1.png`` on first load and reads it back through the very reader a
user's folder goes through (:func:`read_image_folder`, subject ids from the file names), so
``make run`` exercises that path end to end. The folder is written to a temporary sibling and
renamed, so an interrupted first load never leaves half a set; a folder rendered with other
settings is refused rather than silently reused. A folder the user names is only ever read:
a mistyped path is an error, never a freshly rendered synthetic set.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

import cv2
from kedro.io import AbstractDataset, DatasetError

from emotion_gan.datasets.image_folder import FolderOptions, ImageFolderDataset, read_image_folder
from emotion_gan.imageset import ImageSet
from emotion_gan.sources.synthetic_faces import lab_face_sessions
from emotion_gan.vocabulary import EMOTIONS

logger = logging.getLogger(__name__)

#: Subject ids in the rendered file names: ``S03.angry.1.png`` → ``S03``.
LAB_SUBJECT_PATTERN = r"^(S\d+)\."
_MARKER = "RENDERED.json"
_EMBEDDED_KEYS = ("path", "subjects", "repeats", "seed", "classes")


class SmallFacesDataset(AbstractDataset[None, ImageSet]):
    """Load-only: the class-folder set at ``root``, or (``root`` empty) the embedded lab set.

    Why ``root`` and not ``path``: Kedro makes a catalog entry's ``path`` absolute, and an empty
    one would become the project folder.

    Example (conf/base/catalog_transfer.yml; every argument but ``embedded`` is a runtime
    parameter, so ``--params small_faces_root=data/01_raw/jaffe`` switches to your copy)::

        small_faces_raw:
          type: emotion_gan.datasets.SmallFacesDataset
          root: ${runtime_params:small_faces_root, ""}
          subject_pattern: ${runtime_params:subject_pattern, ""}
          embedded: {path: data/01_raw/lab_faces, subjects: 10, repeats: 3, seed: 1998}

    ``subject_pattern``, ``crop_faces``, ``no_face``, ``centre_crop`` and ``class_map`` are
    :class:`~emotion_gan.datasets.image_folder.FolderOptions` for the user's folder; the
    embedded set always uses its own file-name pattern.
    """

    def __init__(
        self,
        *,
        embedded: dict[str, Any],
        root: str = "",
        subject_pattern: str = "",
        crop_faces: bool = False,
        no_face: str = "keep",
        centre_crop: bool = False,
        class_map: dict[str, str] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        unknown = sorted(set(embedded) - set(_EMBEDDED_KEYS))
        if unknown or "path" not in embedded:
            raise DatasetError(
                f"embedded needs a path and may set {_EMBEDDED_KEYS}; got unknown keys {unknown}"
            )
        self._path = str(root or "")
        self._embedded = {"classes": list(EMOTIONS), **embedded}
        self._folder = ImageFolderDataset(
            path=self._path,  # an empty root is never read: load() renders the embedded set
            class_map=class_map,
            crop_faces=crop_faces,
            no_face=no_face,
            centre_crop=centre_crop,
            subject_pattern=subject_pattern,
        )
        self.metadata = metadata

    def load(self) -> ImageSet:
        return self._folder.load() if self._path else self._embedded_set()

    def _embedded_set(self) -> ImageSet:
        root = Path(self._embedded["path"])
        render = {k: v for k, v in self._embedded.items() if k != "path"}
        if not root.exists():
            logger.info("Rendering the embedded lab set into %s (%s)", root, render)
            _write_lab_set(root, render)
        marker = root / _MARKER
        recorded = json.loads(marker.read_text()) if marker.is_file() else None
        if recorded != render:
            raise DatasetError(
                f"{root} holds a lab set rendered with {recorded} (from {_MARKER}), not the "
                f"catalog's {render}; delete the folder to render it again"
            )
        faces = read_image_folder(root, FolderOptions(subject_pattern=LAB_SUBJECT_PATTERN))
        provenance = {"source": "rendered_lab_faces", "render": render}
        return dataclasses.replace(faces, metadata={**faces.metadata, **provenance})

    def save(self, data: ImageSet) -> None:
        raise DatasetError("SmallFacesDataset is read-only: raw image folders are never modified")

    def _describe(self) -> dict[str, Any]:
        return {**self._folder._describe(), "embedded": self._embedded}

    def _exists(self) -> bool:
        return Path(self._path).is_dir() if self._path else True


def _write_lab_set(root: Path, render: dict[str, Any]) -> None:
    """Render the lab set into a temporary sibling of ``root``, then rename it into place."""
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
    try:
        sessions = lab_face_sessions(
            render["subjects"], render["repeats"], render["seed"], tuple(render["classes"])
        )
        for label, repeat, faces in sessions:
            folder = staging / EMOTIONS[label]
            folder.mkdir(exist_ok=True)
            for subject, face in enumerate(faces):
                name = f"S{subject:02d}.{EMOTIONS[label]}.{repeat}.png"
                if not cv2.imwrite(str(folder / name), face):
                    raise DatasetError(f"could not write {folder / name}")
        (staging / _MARKER).write_text(json.dumps(render))
        staging.chmod(0o755)
        staging.rename(root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

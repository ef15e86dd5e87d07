"""``ImageSetDataset``: a versioned ``.npz`` holding one :class:`~emotion_gan.imageset.ImageSet`.

Layout of the file: ``images`` uint8 (N, 48, 48), ``labels`` int64, ``split`` and ``origin``
unicode arrays, ``metadata`` a JSON string, ``subject`` unicode (optional: files written before
subjects existed load with unknown subjects) — plain arrays only, so it loads with
``allow_pickle=False`` (an .npz from elsewhere cannot execute code) and from any numpy.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from typing import Any

import numpy as np
from kedro.io.core import DatasetError
from kedro_datasets._typing import ImagePreview

from emotion_gan.datasets._base import AtomicVersionedDataset
from emotion_gan.imageset import ImageSet
from emotion_gan.vocabulary import EMOTIONS

_KEYS = ("images", "labels", "split", "origin", "metadata")


class ImageSetDataset(AtomicVersionedDataset[ImageSet, ImageSet]):
    """Save/load an ImageSet as a compressed ``.npz``; previews as a face grid in Kedro-Viz.

    Example catalog entry::

        train_sample:
          type: emotion_gan.datasets.ImageSetDataset
          filepath: data/05_model_input/train_sample.npz
          versioned: true
    """

    def __init__(self, *, filepath: str, compress: bool = True, **kwargs: Any) -> None:
        super().__init__(filepath=filepath, **kwargs)
        self._compress = compress

    def load(self) -> ImageSet:
        payload, path = self._read_bytes()
        try:
            with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
                missing = [k for k in _KEYS if k not in npz.files]
                if missing:
                    raise DatasetError(
                        f"{path} is not an emotion_gan ImageSet file: missing arrays {missing}. "
                        "Re-create it with the pipeline that writes this dataset."
                    )
                return ImageSet(
                    npz["images"],
                    npz["labels"],
                    npz["split"],
                    npz["origin"],
                    json.loads(str(npz["metadata"])),
                    npz["subject"] if "subject" in npz.files else None,
                )
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise DatasetError(
                f"cannot read ImageSet file {path}: {exc}. The file is corrupt or not an .npz; "
                "delete that version folder and re-run the pipeline that writes it."
            ) from exc

    def save(self, data: ImageSet) -> None:
        if not isinstance(data, ImageSet):
            raise DatasetError(
                f"ImageSetDataset {self._filepath} can only save an ImageSet, got "
                f"{type(data).__name__}"
            )
        buffer = io.BytesIO()
        writer = np.savez_compressed if self._compress else np.savez
        writer(
            buffer,
            images=data.images,
            labels=data.labels,
            split=data.split,
            origin=data.origin,
            metadata=np.array(json.dumps(data.metadata, default=str)),
            subject=data.subject,
        )
        self._write_atomically(buffer.getvalue())

    def preview(self, per_class: int = 8) -> ImagePreview:
        """Kedro-Viz image preview: a PNG grid, one row per class, ``per_class`` faces each."""
        return ImagePreview(base64.b64encode(face_grid_png(self.load(), per_class)).decode("ascii"))


def face_grid_png(images: ImageSet, per_class: int = 8, scale: int = 2) -> bytes:
    """Render the first ``per_class`` faces of every class as a PNG grid (rows = EMOTIONS)."""
    from PIL import Image  # local import: only previews need Pillow

    size = images.images.shape[1]
    grid = np.full((len(EMOTIONS) * size, per_class * size), 255, dtype=np.uint8)
    for row in range(len(EMOTIONS)):
        faces = images.images[images.labels == row][:per_class]
        for col, face in enumerate(faces):
            grid[row * size : (row + 1) * size, col * size : (col + 1) * size] = face
    picture = Image.fromarray(grid).resize((grid.shape[1] * scale, grid.shape[0] * scale))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()

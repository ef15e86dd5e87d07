"""``SyntheticFacesDataset``: the embedded default source — procedurally rendered faces.

Why a dataset (not a node): it plays the role that the FER2013 CSV or an image folder plays in
other envs — the raw source ``faces_raw`` — so switching ``--env`` swaps the source without
touching a pipeline. It needs no download: the faces are rendered deterministically from
``seed`` by :mod:`emotion_gan.sources.synthetic_faces`.
"""

from __future__ import annotations

from typing import Any

from kedro.io import AbstractDataset, DatasetError

from emotion_gan.imageset import ImageSet
from emotion_gan.sources.synthetic_faces import synthetic_face_dataset


class SyntheticFacesDataset(AbstractDataset[None, ImageSet]):
    """Load-only: ``total`` faces with FER2013 Training class proportions, from ``seed``.

    Example (conf/base/catalog.yml)::

        faces_raw:
          type: emotion_gan.datasets.SyntheticFacesDataset
          total: 6000
          seed: 2018
    """

    def __init__(
        self,
        *,
        total: int,
        seed: int = 0,
        render_args: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self._total = total
        self._seed = seed
        self._render_args = render_args or {}
        self.metadata = metadata

    def load(self) -> ImageSet:
        images, labels = synthetic_face_dataset(self._total, self._seed, **self._render_args)
        return ImageSet.from_arrays(
            images,
            labels,
            split="unsplit",
            metadata={
                "source": "synthetic_faces",
                "total": self._total,
                "seed": self._seed,
                "render_args": self._render_args,
            },
        )

    def save(self, data: ImageSet) -> None:
        raise DatasetError("SyntheticFacesDataset is a read-only source")

    def _describe(self) -> dict[str, Any]:
        return {"total": self._total, "seed": self._seed, "render_args": self._render_args}

    def _exists(self) -> bool:
        return True

"""The one image-set type that travels between every node of the project.

An :class:`ImageSet` is a plain, immutable bundle of numpy arrays — no Kedro, no torch — so
notebooks, ``models/`` and pipeline nodes can all use it. Every image carries its label, the
split it belongs to (``train`` / ``test`` or FER2013's ``Training`` / ``PublicTest`` /
``PrivateTest``) and its origin (``real`` or ``generated``): augmented training sets mix origins,
and reports must always be able to tell synthetic faces from real ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: FER2013 label order, used everywhere (paper §4.2).
EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
NUM_CLASSES = len(EMOTIONS)
IMAGE_SIZE = 48
REFERENCE_CLASS = "neutral"  # the paper's reference class R (§4.2)

ORIGINS = ("real", "generated")


def label_of(emotion: str) -> int:
    """Return the FER2013 label of an emotion name, with an error listing the valid names."""
    try:
        return EMOTIONS.index(emotion)
    except ValueError:
        raise ValueError(
            f"unknown emotion {emotion!r}; expected one of {', '.join(EMOTIONS)}"
        ) from None


@dataclass(frozen=True)
class ImageSet:
    """Grayscale 48×48 faces with per-image label, split and origin.

    Attributes:
        images: ``uint8`` array of shape ``(N, 48, 48)``.
        labels: ``int64`` array of shape ``(N,)`` with values in ``0..6``.
        split: string array ``(N,)`` naming the split of each image.
        origin: string array ``(N,)``, each ``"real"`` or ``"generated"``.
        metadata: JSON-serialisable provenance (source, seed, fractions, …).
    """

    images: np.ndarray
    labels: np.ndarray
    split: np.ndarray
    origin: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        images = np.asarray(self.images)
        n = len(images)
        if (
            images.dtype != np.uint8
            or images.ndim != 3
            or images.shape[1:]
            != (
                IMAGE_SIZE,
                IMAGE_SIZE,
            )
        ):
            raise ValueError(
                f"ImageSet images must be uint8 of shape (N, {IMAGE_SIZE}, {IMAGE_SIZE}); "
                f"got {images.dtype} {images.shape}. Resize/convert before building the set."
            )
        labels = np.asarray(self.labels, dtype=np.int64)
        split = np.asarray(self.split, dtype=str)
        origin = np.asarray(self.origin, dtype=str)
        for name, arr in (("labels", labels), ("split", split), ("origin", origin)):
            if arr.shape != (n,):
                raise ValueError(f"ImageSet {name} must have shape ({n},); got {arr.shape}")
        if n and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
            bad = int(np.flatnonzero((labels < 0) | (labels >= NUM_CLASSES))[0])
            raise ValueError(
                f"ImageSet label {int(labels[bad])} at index {bad} is outside 0..{NUM_CLASSES - 1}"
            )
        unknown = set(np.unique(origin)) - set(ORIGINS)
        if unknown:
            raise ValueError(f"ImageSet origin must be one of {ORIGINS}; got {sorted(unknown)}")
        object.__setattr__(self, "images", images)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "split", split)
        object.__setattr__(self, "origin", origin)
        object.__setattr__(self, "metadata", dict(self.metadata))

    @classmethod
    def from_arrays(
        cls,
        images: np.ndarray,
        labels: np.ndarray,
        *,
        split: str | np.ndarray = "train",
        origin: str = "real",
        metadata: dict[str, Any] | None = None,
    ) -> ImageSet:
        """Build a set where split/origin are the same for every image (the common case)."""
        n = len(images)
        split_arr = np.full(n, split) if isinstance(split, str) else np.asarray(split)
        return cls(images, labels, split_arr, np.full(n, origin), metadata or {})

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index: np.ndarray | Sequence[int], **metadata: Any) -> ImageSet:
        """Return the images at ``index`` (a boolean mask or integer indices)."""
        idx = np.asarray(index)
        return ImageSet(
            self.images[idx],
            self.labels[idx],
            self.split[idx],
            self.origin[idx],
            {**self.metadata, **metadata},
        )

    def of_class(self, label: int) -> ImageSet:
        """Return the images of one class."""
        return self.subset(self.labels == label)

    def class_counts(self) -> dict[str, int]:
        """Return ``{emotion: count}`` over all seven classes (zeros included)."""
        counts = np.bincount(self.labels, minlength=NUM_CLASSES)
        return {name: int(c) for name, c in zip(EMOTIONS, counts, strict=True)}

    @staticmethod
    def concat(sets: Sequence[ImageSet], **metadata: Any) -> ImageSet:
        """Concatenate sets in order; metadata records each part's own metadata."""
        if not sets:
            raise ValueError("ImageSet.concat needs at least one set")
        return ImageSet(
            np.concatenate([s.images for s in sets]),
            np.concatenate([s.labels for s in sets]),
            np.concatenate([s.split for s in sets]),
            np.concatenate([s.origin for s in sets]),
            {"parts": [s.metadata for s in sets], **metadata},
        )

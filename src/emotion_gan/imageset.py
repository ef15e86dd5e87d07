"""The one image-set type that travels between every node of the project.

An :class:`ImageSet` is a plain, immutable bundle of numpy arrays — no Kedro, no torch — so
notebooks, ``models/`` and pipeline nodes can all use it. Every image carries its label, the
split it belongs to (``train`` / ``test`` or FER2013's ``Training`` / ``PublicTest`` /
``PrivateTest``) and its origin (``real`` or ``generated``): augmented training sets mix origins,
and reports must always be able to tell synthetic faces from real ones. Small lab sets also
carry each image's subject (the person), so that a split can keep one person out of both parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from emotion_gan.vocabulary import EMOTIONS, IMAGE_SIZE, NUM_CLASSES, TARGET_CLASSES, label_of

ORIGINS = ("real", "generated")


@dataclass(frozen=True)
class ImageSet:
    """Grayscale 48×48 faces with per-image label, split and origin.

    Attributes:
        images: ``uint8`` array of shape ``(N, 48, 48)``.
        labels: ``int64`` array of shape ``(N,)`` with values in ``0..6``.
        split: string array ``(N,)`` naming the split of each image.
        origin: string array ``(N,)``, each ``"real"`` or ``"generated"``.
        metadata: JSON-serialisable provenance (source, seed, fractions, …).
        subject: string array ``(N,)``: who is in each image (``""`` = unknown, the default;
            FER2013 and generated faces have no subject ids).
    """

    images: np.ndarray
    labels: np.ndarray
    split: np.ndarray
    origin: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)
    subject: np.ndarray | None = None

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
        subject = np.full(n, "") if self.subject is None else np.asarray(self.subject, dtype=str)
        for name, arr in (
            ("labels", labels),
            ("split", split),
            ("origin", origin),
            ("subject", subject),
        ):
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
        object.__setattr__(self, "subject", subject)
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
        subject: np.ndarray | None = None,
    ) -> ImageSet:
        """Build a set where split/origin are the same for every image (the common case)."""
        n = len(images)
        split_arr = np.full(n, split) if isinstance(split, str) else np.asarray(split)
        return cls(images, labels, split_arr, np.full(n, origin), metadata or {}, subject)

    def has_subjects(self) -> bool:
        """Whether every image names its subject (a grouped split is possible)."""
        return len(self) > 0 and bool(np.all(self.subject != ""))

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
            self.subject[idx],
        )

    def of_class(self, label: int) -> ImageSet:
        """Return the images of one class."""
        return self.subset(self.labels == label)

    def class_counts(self) -> dict[str, int]:
        """Return ``{emotion: count}`` over all seven classes (zeros included)."""
        counts = np.bincount(self.labels, minlength=NUM_CLASSES)
        return {name: int(c) for name, c in zip(EMOTIONS, counts, strict=True)}

    def counts_by_origin(self) -> dict[str, dict[str, int]]:
        """``{origin: {emotion: count}}`` for real and generated images (composition tables)."""
        return {origin: self.subset(self.origin == origin).class_counts() for origin in ORIGINS}

    def generated_labels(self) -> list[int]:
        """Sorted labels of the classes that have generated images in this set."""
        return sorted({int(k) for k in self.labels[self.origin == "generated"]})

    def generated_of(self, generated_classes: str | Sequence[str]) -> ImageSet:
        """The generated images of ``generated_classes`` (emotion names, or ``"all"``).

        Why one place: every consumer of ``augmented_train_sample`` (a variant's training set,
        the DAG's pre-training set, the t-SNE panels) picks generated faces by class name, and
        a name with no generated faces must fail the same clear way everywhere.
        """
        available = self.generated_labels()
        if generated_classes == "all":
            if not available:
                raise ValueError(
                    "generated_classes is 'all' but the set holds no generated images; run "
                    "generate_synthetic first"
                )
            chosen = available
        else:
            chosen = [label_of(name) for name in generated_classes]
            missing = [EMOTIONS[k] for k in chosen if k not in available]
            if missing:
                raise ValueError(
                    f"no generated images of {missing} in the set (it has "
                    f"{[EMOTIONS[k] for k in available]}); add them to the target classes "
                    f"({', '.join(TARGET_CLASSES)}) or remove them from generated_classes"
                )
        return self.subset(
            (self.origin == "generated") & np.isin(self.labels, chosen),
            generated_classes=[EMOTIONS[k] for k in chosen],
        )

    def __repr__(self) -> str:
        """One line (a notebook user typing ``train`` must not get megabytes of pixels)."""
        counts = ", ".join(f"{name} {n}" for name, n in self.class_counts().items() if n)
        origins = ", ".join(f"{o} {int(np.sum(self.origin == o))}" for o in ORIGINS)
        splits = ", ".join(sorted(set(self.split.tolist())))
        return (
            f"ImageSet({len(self)} images {IMAGE_SIZE}×{IMAGE_SIZE}; classes: {counts or 'none'}; "
            f"origin: {origins}; split: {splits or 'none'})"
        )

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
            np.concatenate([s.subject for s in sets]),
        )

"""ingest: raw source → canonical ``faces`` ImageSet with a train / test split per image.

FER2013 comes with its own split (Usage); it is kept, with PublicTest and PrivateTest still
told apart. Sources without one (synthetic faces, class folders) get a stratified split drawn
from a seed, so every class appears in both halves in its own proportion.
"""

from __future__ import annotations

import numpy as np

from emotion_gan.imageset import ImageSet
from emotion_gan.vocabulary import EMOTIONS, FER2013_SPLITS, TRAIN_SPLIT


def assign_train_test_split(faces_raw: ImageSet, test_fraction: float, split_seed: int) -> ImageSet:
    """Return the raw faces with canonical split names (``train`` or a test split).

    Args:
        faces_raw: the source's images; ``split`` is FER2013's Usage or ``"unsplit"``.
        test_fraction: share of each class held out for testing when the source has no split.
        split_seed: seed of that stratified split.
    """
    if len(faces_raw) == 0:
        raise ValueError("the raw face source is empty: check the faces_raw catalog entry")
    usages = set(np.unique(faces_raw.split))
    if usages <= set(FER2013_SPLITS):
        split = np.vectorize(FER2013_SPLITS.__getitem__, otypes=[str])(faces_raw.split)
        return ImageSet(
            faces_raw.images, faces_raw.labels, split, faces_raw.origin,
            {**faces_raw.metadata, "split_rule": "FER2013 Usage"},
        )  # fmt: skip
    if usages != {"unsplit"}:
        raise ValueError(
            f"faces_raw mixes split names {sorted(usages)}; expected FER2013 Usage values "
            f"{sorted(FER2013_SPLITS)} or 'unsplit'"
        )
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"ingest.test_fraction must be in (0, 1); got {test_fraction}")
    rng = np.random.default_rng(split_seed)
    split = np.full(len(faces_raw), TRAIN_SPLIT, dtype=object)
    for label, name in enumerate(EMOTIONS):
        members = np.flatnonzero(faces_raw.labels == label)
        if len(members) == 1:
            raise ValueError(
                f"class {name!r} has a single image, so it cannot appear in both train and test; "
                "add images of that class or remove it from the source"
            )
        n_test = max(1, round(test_fraction * len(members))) if len(members) else 0
        split[rng.permutation(members)[:n_test]] = "test"
    return ImageSet(
        faces_raw.images, faces_raw.labels, split.astype(str), faces_raw.origin,
        {**faces_raw.metadata, "split_rule": "stratified", "test_fraction": test_fraction,
         "split_seed": split_seed},
    )  # fmt: skip

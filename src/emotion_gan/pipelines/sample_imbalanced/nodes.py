"""sample_imbalanced: the paper's protocol (§4.2–4.3) on top of the canonical ``faces``.

Training: a stratified sample of each class's training images (20 % in the paper, so rare
classes stay rare). Testing: subsets of 7 % and 14 % *of the whole dataset's size* drawn from
the test split, stratified; the 7 % subset is contained in the 14 % one (both are prefixes of
one seeded per-class permutation), so the two columns of Table 1 are comparable.
"""

from __future__ import annotations

import numpy as np

from emotion_gan.imageset import ImageSet
from emotion_gan.stats.rounding import largest_remainder
from emotion_gan.vocabulary import EMOTIONS, TEST_SUBSETS, TRAIN_SPLIT


def sample_training_classes(
    faces: ImageSet,
    train_fraction: float,
    train_fraction_per_class: dict[str, float],
    sample_seed: int,
) -> ImageSet:
    """Draw ``train_fraction`` (or a per-class override) of every class's training images.

    Raises:
        ValueError: a fraction outside (0, 1], an unknown class name, or a class left empty.
    """
    unknown = set(train_fraction_per_class) - set(EMOTIONS)
    if unknown:
        raise ValueError(f"train_fraction_per_class names unknown classes {sorted(unknown)}")
    train = faces.subset(faces.split == TRAIN_SPLIT)
    rng = np.random.default_rng(sample_seed)
    chosen = []
    for label, name in enumerate(EMOTIONS):
        fraction = train_fraction_per_class.get(name, train_fraction)
        if not 0.0 < fraction <= 1.0:
            key = (
                f"train_fraction_per_class.{name}"
                if name in train_fraction_per_class
                else ("train_fraction")
            )
            raise ValueError(
                f"sample_imbalanced.{key} must be in (0, 1] (the share of {name!r} training "
                f"images kept); got {fraction!r}"
            )
        members = np.flatnonzero(train.labels == label)
        if len(members) == 0:
            raise ValueError(
                f"class {name!r} has no training images in `faces`; the classifier and its "
                "CycleGAN need at least one — add images of that class to the source"
            )
        chosen.append(rng.permutation(members)[: max(1, round(fraction * len(members)))])
    index = np.sort(np.concatenate(chosen))
    return train.subset(
        index, protocol="stratified per-class sample", train_fraction=train_fraction,
        train_fraction_per_class=train_fraction_per_class, sample_seed=sample_seed,
    )  # fmt: skip


def draw_test_subsets(
    faces: ImageSet, test_subset_fractions: dict[str, float], sample_seed: int
) -> dict[str, ImageSet]:
    """Return ``test_full`` plus one stratified subset per ``{name: fraction of dataset size}``.

    Smaller subsets are nested in larger ones (prefixes of one per-class permutation).
    """
    if set(test_subset_fractions) != set(TEST_SUBSETS):
        raise ValueError(
            f"sample_imbalanced.test_subset_fractions must give a fraction for exactly "
            f"{list(TEST_SUBSETS)} (the catalog names of the test subsets); got "
            f"{sorted(test_subset_fractions)}"
        )
    test = faces.subset(faces.split != TRAIN_SPLIT)
    if len(test) == 0:
        raise ValueError("`faces` has no test images; check ingest.test_fraction or the source")
    rng = np.random.default_rng(sample_seed + 1)
    order = [rng.permutation(np.flatnonzero(test.labels == k)) for k in range(len(EMOTIONS))]
    proportions = np.array([len(o) for o in order]) / len(test)
    subsets = {"test_full": test.subset(np.arange(len(test)), subset="test_full")}
    for name, fraction in test_subset_fractions.items():
        size = round(fraction * len(faces))
        if not 0 < size <= len(test):
            raise ValueError(
                f"test subset {name!r}: {fraction:.0%} of the dataset is {size} images, but the "
                f"test split holds {len(test)}; lower the fraction"
            )
        counts = largest_remainder(proportions * size, stable_ties=False)
        index = np.sort(np.concatenate([o[:c] for o, c in zip(order, counts, strict=True)]))
        subsets[name] = test.subset(index, subset=name, fraction_of_dataset=fraction)
    return subsets

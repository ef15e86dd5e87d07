"""The project's vocabulary: every class, split, test set, variant and generator family by name.

Why one module: Kedro builds pipelines before it reads parameters, so the namespaces (one per
target class, one per classifier variant) must be fixed in code. They are fixed *here* and only
here; pipelines, the evaluation, the report and the parameters check (:mod:`emotion_gan.hooks`)
import them, so adding a variant means one line in :data:`VARIANTS` and one block under
``variants:`` in ``conf/base/parameters_train_baseline.yml``. Plain Python: no Kedro, no torch.
"""

from __future__ import annotations

from dataclasses import dataclass

#: FER2013 label order, used everywhere (paper §4.2): 0 angry … 6 neutral.
EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
NUM_CLASSES = len(EMOTIONS)
IMAGE_SIZE = 48

#: The paper's reference class R (§4.2): every CycleGAN translates it into a target class.
REFERENCE_CLASS = "neutral"
#: The target classes T, one CycleGAN namespace each: every emotion but the reference class.
TARGET_CLASSES: tuple[str, ...] = tuple(e for e in EMOTIONS if e != REFERENCE_CLASS)

#: Canonical name of the training split (every other split name is a test split).
TRAIN_SPLIT = "train"
#: FER2013 ``Usage`` → canonical split name (PublicTest and PrivateTest stay apart).
FER2013_SPLITS = {
    "Training": TRAIN_SPLIT,
    "PublicTest": "public_test",
    "PrivateTest": "private_test",
}

#: The paper's test subsets (§4.3), catalog names; their fractions come from parameters.
TEST_SUBSETS: tuple[str, ...] = ("test_7pct", "test_14pct")
#: Every test set, in the order the tables show them.
TEST_SETS: tuple[str, ...] = (*TEST_SUBSETS, "test_full")
TEST_SET_TITLES = {"test_7pct": "7 %", "test_14pct": "14 %", "test_full": "full test split"}

#: Generator families that can make the supplementary faces (the paper's: one CycleGAN per T).
GENERATOR_FAMILIES: tuple[str, ...] = ("cyclegan",)

#: Variant families the verdict compares (the best of each, paired bootstrap + seed spread).
GAN_AUGMENTATION = "gan_augmentation"
CHEAP_ALTERNATIVES = "cheap_alternatives"
REFERENCE = "reference"


@dataclass(frozen=True)
class Variant:
    """One trained classifier variant: a namespace, a report label and a verdict family.

    ``pipeline`` names the modular pipeline that trains it (``train_baseline`` reads its
    settings from ``variants.<name>``; ``train_dag`` from ``dag``).
    """

    name: str
    display_name: str
    family: str
    pipeline: str = "train_baseline"


#: Every variant, in report order: Table 1's columns, all six generated classes, the cheap
#: alternatives to GAN augmentation, and the DAG of Table 2.
VARIANTS: tuple[Variant, ...] = (
    Variant("baseline", "baseline", REFERENCE),
    Variant("plus_disgust", "+disgust", GAN_AUGMENTATION),
    Variant("plus_sad", "+sad", GAN_AUGMENTATION),
    Variant("plus_all", "+all six", GAN_AUGMENTATION),
    Variant("class_weighted", "class-weighted loss", CHEAP_ALTERNATIVES),
    Variant("deferred_reweighting", "deferred re-weighting", CHEAP_ALTERNATIVES),
    Variant("logit_adjusted", "logit-adjusted loss", CHEAP_ALTERNATIVES),
    Variant("oversampled", "oversampled", CHEAP_ALTERNATIVES),
    Variant("flip_crop", "flip + crop", CHEAP_ALTERNATIVES),
    Variant("smote", "SMOTE", CHEAP_ALTERNATIVES),
    Variant("dag", "DAG: pre-train + fine-tune", GAN_AUGMENTATION, pipeline="train_dag"),
)
#: The variant every other one is compared with (paired tests, Tables 1–2).
BASELINE = "baseline"
#: The namespace of the DAG framework (Table 2).
DAG_VARIANT = "dag"

ALL_VARIANTS: tuple[str, ...] = tuple(v.name for v in VARIANTS)
DISPLAY_NAMES: dict[str, str] = {v.name: v.display_name for v in VARIANTS}


def variants_of(pipeline: str) -> tuple[str, ...]:
    """Names of the variants one pipeline trains (its namespaces), in report order."""
    return tuple(v.name for v in VARIANTS if v.pipeline == pipeline)


def family_members(family: str) -> tuple[str, ...]:
    """Names of the variants of one family, in report order."""
    return tuple(v.name for v in VARIANTS if v.family == family)


def label_of(emotion: str) -> int:
    """Return the FER2013 label of an emotion name, with an error listing the valid names."""
    try:
        return EMOTIONS.index(emotion)
    except ValueError:
        raise ValueError(
            f"unknown emotion {emotion!r}; expected one of {', '.join(EMOTIONS)}"
        ) from None

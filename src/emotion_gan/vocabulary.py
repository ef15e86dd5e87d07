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


@dataclass(frozen=True)
class GeneratorFamily:
    """One way to make the supplementary faces of every target class.

    ``namespace`` prefixes everything ``generate_synthetic`` and the classifiers trained on its
    faces write for this family (``None``: the paper's own names, ``augmented_train_sample``…);
    ``model`` is the saved model a target class's faces come from — one per class
    (``{target_class}.cyclegan``, a ``{"G", …}`` bundle) or one for all (``conditional_gan``,
    whose G takes the target emotion) — and ``history`` its loss history (with training
    seconds); ``{target_class}`` is filled in for both.
    """

    name: str
    display_name: str
    namespace: str | None
    model: str
    history: str

    @property
    def one_model_for_all(self) -> bool:
        """Whether one model makes every target class (then it is bound to each in turn)."""
        return "{target_class}" not in self.model

    def dataset(self, name: str) -> str:
        """This family's copy of a ``generate_synthetic`` output (``augmented_train_sample``…)."""
        return name if self.namespace is None else f"{self.namespace}.{name}"

    def histories(self) -> tuple[str, ...]:
        """The loss histories of every model of the family (six CycleGANs, one conditional)."""
        names = (self.history.format(target_class=t) for t in TARGET_CLASSES)
        return tuple(dict.fromkeys(names))


#: The generator families, compared in one run: the paper's six CycleGANs, and one conditional
#: (StarGAN-style) generator for every target class.
GENERATOR_FAMILIES: tuple[GeneratorFamily, ...] = (
    GeneratorFamily(
        "cyclegan",
        "six CycleGANs",
        None,
        "{target_class}.cyclegan",
        "{target_class}.cyclegan_history",
    ),
    GeneratorFamily(
        "conditional",
        "one conditional generator",
        "conditional",
        "conditional_gan",
        "conditional_gan_history",
    ),
)
FAMILY_NAMES: tuple[str, ...] = tuple(f.name for f in GENERATOR_FAMILIES)


def generator_family(name: str) -> GeneratorFamily:
    """The family called ``name``, with an error listing the known ones."""
    for family in GENERATOR_FAMILIES:
        if family.name == name:
            return family
    raise ValueError(f"unknown generator family {name!r}; expected one of {FAMILY_NAMES}")


#: Variant families the verdict compares (the best of each, paired bootstrap + seed spread).
GAN_AUGMENTATION = "gan_augmentation"
CHEAP_ALTERNATIVES = "cheap_alternatives"
REFERENCE = "reference"


@dataclass(frozen=True)
class Variant:
    """One trained classifier variant: a namespace, a report label and a verdict family.

    ``pipeline`` names the modular pipeline that trains it (``train_baseline`` reads its
    settings from ``variants.<name>``; ``train_dag`` from ``dag``). ``generator`` is the
    generator family whose faces it trains on (meaningful only for GAN augmentation).
    """

    name: str
    display_name: str
    family: str
    pipeline: str = "train_baseline"
    generator: str = "cyclegan"


#: Every variant, in report order: Table 1's columns, all six generated classes, the cheap
#: alternatives to GAN augmentation, the DAG of Table 2, then the GAN-augmentation variants again
#: on the conditional generator's faces (the comparison of generator families).
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
    # The same four GAN-augmentation variants on the conditional generator's faces (issue 13).
    Variant("conditional_plus_disgust", "+disgust (conditional G)", GAN_AUGMENTATION,
            generator="conditional"),
    Variant("conditional_plus_sad", "+sad (conditional G)", GAN_AUGMENTATION,
            generator="conditional"),
    Variant("conditional_plus_all", "+all six (conditional G)", GAN_AUGMENTATION,
            generator="conditional"),
    Variant("conditional_dag", "DAG (conditional G)", GAN_AUGMENTATION, pipeline="train_dag",
            generator="conditional"),
)  # fmt: skip
#: The variant every other one is compared with (paired tests, Tables 1–2).
BASELINE = "baseline"

ALL_VARIANTS: tuple[str, ...] = tuple(v.name for v in VARIANTS)
DISPLAY_NAMES: dict[str, str] = {v.name: v.display_name for v in VARIANTS}


#: The reference of the transfer pipeline (Table 2, rows FER+SFEW / FER+JAFFE): the same CNN
#: trained on the small set alone.
TRANSFER_SCRATCH = "scratch"
#: What the transfer pipeline trains on a small set, one namespace each (``transfer.<source>``):
#: the scratch reference, then the FER-trained classifiers it fine-tunes.
TRANSFER_SOURCES: tuple[str, ...] = (TRANSFER_SCRATCH, BASELINE, "dag")


def variants_of(pipeline: str) -> tuple[str, ...]:
    """Names of the variants one pipeline trains (its namespaces), in report order."""
    return tuple(v.name for v in VARIANTS if v.pipeline == pipeline)


def variant_named(name: str) -> Variant:
    """The variant called ``name`` (a ``KeyError`` naming the known ones otherwise)."""
    for candidate in VARIANTS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"unknown variant {name!r}; known: {ALL_VARIANTS}")


def augmented_sample_of(variant: str) -> str:
    """The augmented training set a variant reads: that of its generator family."""
    return generator_family(variant_named(variant).generator).dataset("augmented_train_sample")


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

"""The allowed range of every number in the parameters that no settings class checks itself.

Why a table: conf/base fixes each number's *type* (:func:`emotion_gan.parameter_checks.
parameter_schema_problems`), and the settings blocks built before any node
(``TrainingSettings``, ``CycleGANConfig`` …) check their own ranges. Every other number —
``tsne.perplexity=-5``, ``sample_imbalanced.train_fraction=1.7``, ``evaluation.bootstrap.
resamples=0`` — would otherwise be accepted and fail deep inside a node, or not fail at all.
One declarative table, read by one checker, keeps the bounds where a reader can review them
together; tests/test_hooks.py checks that every number of conf/base is bounded here or by the
block it builds, so a new parameter without a range fails that test, naming the key.

The bounds are the constraints of the code that consumes each value (scikit-learn's, torch's,
the node's own check), as far as they can be checked from the parameter alone; a bound that
depends on the data (perplexity below the number of points) stays with the node.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from emotion_gan.models.training.fields import is_number
from emotion_gan.vocabulary import IMAGE_SIZE


@dataclass(frozen=True)
class Range:
    """Where one number may lie: ``lower``/``upper`` (``None``: unbounded), each closed unless
    ``*_open``; ``whole``: a whole number; ``why``: what the bound protects, for the reader.

    Every number must be finite (YAML reads ``.inf`` and ``.nan`` as floats), and a list of
    them must not be empty: an empty list of seeds, widths or candidates would train nothing,
    build a network without layers or choose among nothing."""

    why: str
    lower: float | None = None
    upper: float | None = None
    lower_open: bool = False
    upper_open: bool = False
    whole: bool = False

    def holds(self, value: float) -> bool:
        """Whether ``value`` (a number) lies in the range."""
        if not math.isfinite(value) or (self.whole and not float(value).is_integer()):
            return False
        if self.lower is not None and (
            value <= self.lower if self.lower_open else value < self.lower
        ):
            return False
        return self.upper is None or (
            value < self.upper if self.upper_open else value <= self.upper
        )

    def describe(self) -> str:
        """``"> 0"``, ``"in [0, 1)"``, ``"a whole number >= 1"``, ``"finite"``."""
        kind = "a whole number " if self.whole else ""
        if self.lower is not None and self.upper is not None:
            left, right = "(" if self.lower_open else "[", ")" if self.upper_open else "]"
            bounds = f"in {left}{_number(self.lower)}, {_number(self.upper)}{right}"
        elif self.lower is not None:
            bounds = f"{'>' if self.lower_open else '>='} {_number(self.lower)}"
        elif self.upper is not None:
            bounds = f"{'<' if self.upper_open else '<='} {_number(self.upper)}"
        else:
            return f"a finite {'whole ' if self.whole else ''}number"
        return f"{kind}{bounds}"


def _number(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


_SEED = Range("a random seed: numpy refuses negative ones", lower=0, whole=True)
#: Seeds that reach scikit-learn (``random_state``), which takes 32-bit unsigned seeds.
_SKLEARN_SEED = Range(
    "a seed scikit-learn takes as random_state (32-bit unsigned)",
    lower=0, upper=2**32 - 1, whole=True,
)  # fmt: skip
_DROPOUT = Range("a dropout probability (1 drops everything)", 0, 1, upper_open=True)
_FRACTION_OPEN = Range("a share that must leave both parts non-empty", 0, 1, True, True)
_POSITIVE_COUNT = Range("a count of things to make or use", lower=1, whole=True)
_WIDTH = Range("a layer width (channels or units)", lower=1, whole=True)
_PAD = Range(
    f"pixels of reflect padding, which torch needs below the {IMAGE_SIZE}-pixel face",
    lower=0, upper=IMAGE_SIZE - 1, whole=True,
)  # fmt: skip
_BETA = Range("an Adam beta: torch needs 0 <= beta < 1", 0, 1, upper_open=True)
_LEARNING_RATE = Range("a learning rate (0 would save an untrained model)", 0, lower_open=True)
_INIT_STD = Range("the spread of the initial weights (0 makes every unit alike)", 0, None, True)
_PERCENT = Range("a published accuracy, in %", 0, 100)
_ACCURACY = Range("an accuracy, a share", 0, 1)
_RESAMPLES = Range("bootstrap resamples: the intervals need at least one", lower=1, whole=True)
_BATCH = Range("images per forward pass", lower=1, whole=True)
_ANY = Range("a coordinate: any finite number")
_SMOOTHING = Range("a rolling-mean window, in logged steps", lower=1, whole=True)


def _generator_ranges(block: str, n_layers: Range) -> dict[str, Range]:
    """The ranges both generator families share (``cyclegan``, ``conditional_gan``): the
    fields their config classes leave unbounded; only their discriminators' depth differs."""
    return {
        f"{block}.architecture.ngf": _WIDTH,
        f"{block}.architecture.n_blocks": Range("residual blocks (0: none)", 0, whole=True),
        f"{block}.architecture.ndf": _WIDTH,
        f"{block}.architecture.n_layers": n_layers,
        f"{block}.architecture.init_std": _INIT_STD,
        f"{block}.architecture.seed": _SEED,
        f"{block}.training.betas": _BETA,
        f"{block}.training.seed": _SEED,
        f"{block}.augment_pad": _PAD,
        f"{block}.loss_curve_smoothing": _SMOOTHING,
    }


#: Full parameter path (``*`` stands for one or more path parts) → its range. A list of
#: numbers is checked item by item. Not here: the fields the settings blocks check themselves
#: (``classifier.training.steps``, ``cyclegan.training.batch_size`` … see
#: :func:`emotion_gan.parameter_checks._settings_problems`); the fields of those blocks that
#: their class leaves unbounded (learning rates, betas, seeds, paddings) are here.
RANGES: dict[str, Range] = {
    # ingest, sample_imbalanced
    "ingest.test_fraction": Range("the share of every class held out as test", 0, 1, True, True),
    "ingest.split_seed": _SEED,
    "sample_imbalanced.train_fraction": Range(
        "the share of every class's training images kept", 0, 1, lower_open=True
    ),
    "sample_imbalanced.train_fraction_per_class.*": Range(
        "the share of that class's training images kept", 0, 1, lower_open=True
    ),
    "sample_imbalanced.test_subset_fractions.*": Range(
        "a test subset's size as a share of the dataset", 0, 1, lower_open=True
    ),
    "sample_imbalanced.sample_seed": _SEED,
    # classifier (the fields TrainingSettings leaves unbounded), its variants' inputs
    "classifier.architecture.conv_channels": _WIDTH,
    "classifier.architecture.fc_width": _WIDTH,
    "classifier.architecture.dropout": _DROPOUT,
    "classifier.seeds": _SKLEARN_SEED,  # also SMOTE's random_state
    "classifier.training.learning_rate": _LEARNING_RATE,
    "classifier.training.adam_betas": _BETA,
    "classifier.training.crop_padding": _PAD,
    "smote.k_neighbors": Range("SMOTE's neighbours (imbalanced-learn: >= 1)", 1, whole=True),
    "dag.pretrain_fraction": Range("the share of the steps spent pre-training", 0, 1),
    # CycleGANs and the conditional generator (CycleGANConfig / ConditionalGANConfig check
    # the rest of their training block)
    **_generator_ranges(
        "cyclegan",
        Range(
            f"PatchGAN stride-2 layers: 5 would shrink the {IMAGE_SIZE}-pixel face below one score",
            lower=1,
            upper=4,
            whole=True,
        ),
    ),
    **_generator_ranges(
        "conditional_gan",
        Range(f"stride-2 layers: {IMAGE_SIZE} px must divide by 2**n_layers", 1, 4, whole=True),
    ),
    # generate_synthetic
    "generation.count": Range("faces to generate per class", lower=0, whole=True),
    "generation.min_count": Range("the fewest faces generated per class", lower=0, whole=True),
    "generation.batch_size": _BATCH,
    "generation.seed": _SEED,
    "generation.reuse_pad": _PAD,
    "generation.fig3.real_columns": Range("columns of real faces in Fig. 3", 0, whole=True),
    "generation.fig3.pairs": Range("source → translation pairs in Fig. 3", 0, whole=True),
    "generation.quality.max_images": _POSITIVE_COUNT,
    "generation.quality.seed": _SEED,
    # judge (TrainingSettings checks the rest of judge.training)
    "judge.seed": _SEED,
    "judge.validation_fraction": _FRACTION_OPEN,
    "judge.split_seed": _SEED,
    "judge.logit_adjustment.strengths": Range("a logit-adjustment strength (τ)", 0, 2),
    "judge.architecture.widths": _WIDTH,
    "judge.architecture.feature_width": _WIDTH,
    "judge.architecture.dropout": _DROPOUT,
    "judge.training.learning_rate": _LEARNING_RATE,
    "judge.training.adam_betas": _BETA,
    "judge.training.crop_padding": _PAD,
    "judge.inference.batch_size": _BATCH,
    # evaluate, tsne_report
    "evaluation.bootstrap.resamples": _RESAMPLES,
    "evaluation.bootstrap.seed": _SEED,
    "evaluation.inference.batch_size": _BATCH,
    "evaluation.paper.*": _PERCENT,
    "tsne.max_points": Range("points t-SNE embeds: it needs two or more", lower=2, whole=True),
    "tsne.pca_components": Range("PCA components before t-SNE", lower=1, whole=True),
    "tsne.perplexity": Range("t-SNE's perplexity (scikit-learn: > 0)", 0, lower_open=True),
    "tsne.max_iter": Range("t-SNE iterations (scikit-learn: >= 250)", 250, whole=True),
    "tsne.seed": _SKLEARN_SEED,
    # transfer (transfer_settings checks the rest of fine_tune / scratch)
    "transfer.split.folds": Range("cross-validation folds", lower=2, whole=True),
    "transfer.split.test_fraction": _FRACTION_OPEN,
    "transfer.split.seed": _SEED,
    "transfer.fine_tune.learning_rate": _LEARNING_RATE,
    "transfer.scratch.learning_rate": _LEARNING_RATE,
    "transfer.bootstrap.resamples": _RESAMPLES,
    "transfer.bootstrap.seed": _SEED,
    "transfer.paper.*": _PERCENT,
    # toy_svm (PointCycleGANSettings builds the training part of toy_svm.cyclegan)
    "toy_svm.classes.means": _ANY,
    "toy_svm.classes.covariance": Range(
        "a covariance entry (positive definiteness is the node's check)"
    ),
    "toy_svm.train_counts": _POSITIVE_COUNT,
    "toy_svm.test_counts": _POSITIVE_COUNT,
    "toy_svm.minority_class": Range("a class number, counted from 1", lower=1, whole=True),
    "toy_svm.reference_class": Range("a class number, counted from 1", lower=1, whole=True),
    "toy_svm.other_reference_class": Range("a class number, counted from 1", 1, whole=True),
    "toy_svm.generated_count": Range("points G translates", lower=0, whole=True),
    "toy_svm.oracle_extra_count": Range("extra real minority points", lower=0, whole=True),
    "toy_svm.first_seed": _SEED,
    "toy_svm.num_seeds": Range("draws to average over", lower=1, whole=True),
    "toy_svm.svm.regularisation_c": Range("the SVM's C (scikit-learn: > 0)", 0, lower_open=True),
    "toy_svm.smote.minority_count": _POSITIVE_COUNT,
    "toy_svm.smote.k_neighbors": Range("SMOTE's neighbours", lower=1, whole=True),
    "toy_svm.cyclegan.hidden_units": _WIDTH,
    "toy_svm.cyclegan.hidden_layers": Range("hidden layers of the MLPs", lower=1, whole=True),
    "toy_svm.cyclegan.sds_per_unit": Range("standard deviations per unit", 0, lower_open=True),
    "toy_svm.cyclegan.betas": _BETA,
    "toy_svm.paired_test_alpha": Range("a significance level", 0, 1, True, True),
    "toy_svm.target_cyclegan_mean": _ACCURACY,
    "toy_svm.paper.*": _ACCURACY,
    "toy_svm.figures.seed_index": Range("which draw the figures show", lower=0, whole=True),
    "toy_svm.figures.one_dimensional.means": _ANY,
    "toy_svm.figures.one_dimensional.counts": _POSITIVE_COUNT,
    "toy_svm.figures.one_dimensional.seed": _SEED,
}


def range_for(path: str) -> Range | None:
    """The range of the parameter at ``path``: its own entry, else the first pattern matching."""
    if path in RANGES:
        return RANGES[path]
    return next((r for key, r in RANGES.items() if "*" in key and fnmatchcase(path, key)), None)


def range_problems(path: str, value: Any, base: Any = None) -> list[str]:
    """What is out of range in ``value`` at ``path`` (``base``: conf/base's value, quoted).

    A value that is not a number is left to the type checks (conf/base's types, the settings
    classes), which name it already; a list is checked item by item, nested lists too.
    """
    bounds = range_for(path)
    if bounds is None:
        return []
    shown = f" (conf/base: {base!r})" if base is not None else ""
    if isinstance(value, list):
        return _list_problems(path, value, bounds, shown)
    if not is_number(value) or (bounds.whole and not float(value).is_integer()):
        return []  # the type checks say "must be a number" / "a whole number" with the path
    if bounds.holds(value):
        return []
    return [f"{path} must be {bounds.describe()}{shown}; got {value!r} — {bounds.why}"]


def _list_problems(path: str, items: list, bounds: Range, shown: str = "") -> list[str]:
    """Each item of a (nested) list checked against ``bounds``; an empty list is refused
    (how many items a list needs beyond one is the settings classes' check)."""
    if not items:
        return [f"{path} must list at least one number{shown}; got [] — {bounds.why}"]
    problems = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if isinstance(item, list):
            problems += _list_problems(where, item, bounds)
        elif not (is_number(item) and bounds.holds(item)):
            problems.append(f"{where} must be {bounds.describe()}; got {item!r} — {bounds.why}")
    return problems

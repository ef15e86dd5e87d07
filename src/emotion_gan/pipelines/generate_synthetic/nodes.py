"""generate_synthetic: reference training faces → G → supplementary faces of each target class.

Paper §3.1/Fig. 1: "supplementary data is generated through generator G" from the reference
class (neutral). Also the checks the paper does not make but a user needs before trusting
synthetic data — memorisation and diversity (:mod:`emotion_gan.stats.generation_quality`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from torch import nn

from emotion_gan.figures import style
from emotion_gan.figures.style import new_figure
from emotion_gan.imageset import ImageSet
from emotion_gan.models.cyclegan.translate import translate_faces
from emotion_gan.stats.generation_quality import generation_quality
from emotion_gan.vocabulary import EMOTIONS, label_of


def number_to_generate(train_sample: ImageSet, target_class: str, settings: dict[str, Any]) -> int:
    """``count`` if set; else enough to lift the class to ``lift_to``, but >= ``min_count``.

    ``lift_to`` is an image count or ``"largest_class"`` (the biggest class of the sample).
    """
    if settings.get("count") is not None:
        return int(settings["count"])
    counts = np.bincount(train_sample.labels, minlength=len(EMOTIONS))
    lift_to = settings.get("lift_to", "largest_class")
    goal = int(counts.max()) if lift_to == "largest_class" else int(lift_to)
    missing = goal - int(counts[label_of(target_class)])
    return max(missing, int(settings.get("min_count", 0)))


def generate_class_faces(
    cyclegan: dict[str, nn.Module],
    train_sample: ImageSet,
    target_class: str,
    reference_class: str,
    settings: dict[str, Any],
) -> ImageSet:
    """Translate reference-class training faces with G into ``target_class`` faces.

    ``settings`` (``params:generation``): ``count`` / ``lift_to`` / ``min_count`` (see
    :func:`number_to_generate`), ``seed`` (order of the reference faces), ``batch_size`` and
    ``reuse_pad`` (shift applied to a reference face translated more than once).

    Returns an ImageSet of split ``train``, origin ``generated``, label ``target_class``. Its
    metadata records, for each face, the index in ``train_sample`` of the reference face it was
    translated from (``source_indices``), so its change can be measured later.
    """
    train = np.flatnonzero(train_sample.split == "train")
    reference_rows = train[train_sample.labels[train] == label_of(reference_class)]
    count = number_to_generate(train_sample, target_class, settings)
    if count and len(reference_rows) == 0:
        raise ValueError(
            f"train_sample has no {reference_class!r} training faces to translate into "
            f"{target_class!r}; check sample_imbalanced's output"
        )
    faces, order = translate_faces(
        cyclegan["G"],
        train_sample.images[reference_rows],
        count,
        seed=int(settings.get("seed", 0)),
        batch_size=int(settings.get("batch_size", 64)),
        pad=int(settings.get("reuse_pad", 4)),
    )
    return ImageSet.from_arrays(
        faces,
        np.full(count, label_of(target_class)),
        split="train",
        origin="generated",
        metadata={
            "generated_by": f"CycleGAN G: {reference_class} -> {target_class}",
            "target_class": target_class,
            "reference_class": reference_class,
            "reference_faces": int(len(reference_rows)),
            "source_indices": reference_rows[order].tolist(),
            "seed": int(settings.get("seed", 0)),
        },
    )


def build_augmented_train_sample(train_sample: ImageSet, *generated: ImageSet) -> ImageSet:
    """The original sample followed by every generated set (``origin`` tells them apart)."""
    return ImageSet.concat(
        [train_sample, *generated],
        purpose="train_sample + CycleGAN-generated faces of every target class",
    )


def plot_fig3_samples(fig3: dict[str, int], train_sample: ImageSet, *generated: ImageSet) -> Figure:
    """Paper Fig. 3: per class, ``fig3["real_columns"]`` real faces then generated ones.

    One row per emotion in label order; the reference class (no CycleGAN) shows real faces only.
    """
    real_columns, generated_columns = fig3["real_columns"], fig3["generated_columns"]
    generated_by_label = {int(s.labels[0]): s.images for s in generated if len(s)}
    columns = real_columns + generated_columns
    figure = new_figure(columns * 0.95, len(EMOTIONS) * 1.0 + 0.6)
    axes = figure.subplots(len(EMOTIONS), columns, squeeze=False)
    for label, name in enumerate(EMOTIONS):
        real = train_sample.images[train_sample.labels == label][:real_columns]
        fake = generated_by_label.get(label, np.empty((0, 48, 48), np.uint8))[:generated_columns]
        row = [*real, *([None] * (real_columns - len(real))), *fake]
        for col, axis in enumerate(axes[label]):
            axis.set_xticks([])
            axis.set_yticks([])
            face = row[col] if col < len(row) else None
            if face is None:
                axis.set_frame_on(False)
            else:
                axis.imshow(face, cmap="gray", vmin=0, vmax=255)
        axes[label, 0].set_ylabel(name, rotation=0, ha="right", va="center")
    for col in range(columns):
        axes[0, col].set_title(
            "real" if col < real_columns else "generated", fontsize=style.SMALL_TITLE_SIZE
        )
    figure.suptitle("Fig. 3: real faces (left) and faces each class's G made from neutral ones")
    return figure


def measure_generation_quality(
    quality: dict[str, int], train_sample: ImageSet, *generated: ImageSet
) -> dict[str, Any]:
    """Memorisation, diversity and source change of every generated class (JSON report).

    Compared against the real *training* faces of the same class — those G's discriminator saw.
    """
    report: dict[str, Any] = {
        "distance": "RMS pixel difference, pixels scaled to [0, 1]",
        "classes": {},
    }
    for images in generated:
        if not len(images):
            continue
        target = images.metadata["target_class"]
        real = train_sample.images[
            (train_sample.labels == label_of(target)) & (train_sample.origin == "real")
        ]
        sources = train_sample.images[np.asarray(images.metadata["source_indices"], dtype=np.int64)]
        # translate_faces uses every reference face once, unshifted, before any reuse.
        first_uses = np.arange(len(images)) < int(images.metadata["reference_faces"])
        report["classes"][target] = generation_quality(
            images.images,
            real,
            sources,
            max_images=quality["max_images"],
            seed=quality["seed"],
            source_is_input=first_uses,
        )
    return report

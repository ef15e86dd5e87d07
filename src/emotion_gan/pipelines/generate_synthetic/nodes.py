"""generate_synthetic: reference training faces → G → supplementary faces of each target class.

Paper §3.1/Fig. 1: "supplementary data is generated through generator G" from the reference
class (neutral). Also the checks the paper does not make but a user needs before trusting
synthetic data: the independent judge's verdict (:mod:`emotion_gan.stats.judged_quality`),
memorisation and diversity (:mod:`emotion_gan.stats.generation_quality`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PIL import Image
from torch import nn

from emotion_gan.figures.generation import fig3_pairs, judged_quality_bars
from emotion_gan.figures.style import figure_to_image
from emotion_gan.imageset import ImageSet
from emotion_gan.models.classifier import penultimate_features, predict
from emotion_gan.models.conditional.networks import ConditionalGANNetworks, TargetedGenerator
from emotion_gan.models.cyclegan.translate import translate_faces
from emotion_gan.stats.generation_quality import generation_quality
from emotion_gan.stats.judged_quality import Judged, judged_quality
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


def bind_target_class(conditional_gan: dict[str, nn.Module], target_class: str) -> dict:
    """``{"G": G(·, target_class)}``: the conditional generator as the G of one target class.

    What :func:`generate_class_faces` translates with, whichever the family; made from the saved
    model in each run, so this pipeline runs on its own from the catalog.
    """
    generator = ConditionalGANNetworks.from_dict(conditional_gan).generator
    return {"G": TargetedGenerator(generator, label_of(target_class))}


def generate_class_faces(
    generator: dict[str, nn.Module],
    train_sample: ImageSet,
    target_class: str,
    reference_class: str,
    settings: dict[str, Any],
    family: str = "six CycleGANs",
) -> ImageSet:
    """Translate reference-class training faces with G into ``target_class`` faces.

    ``generator`` is ``{"G": module}`` of one module of one argument: a CycleGAN's G, or the
    conditional generator bound to ``target_class`` (both families translate the same way).

    ``settings`` (``params:generation``): ``count`` / ``lift_to`` / ``min_count`` (see
    :func:`number_to_generate`), ``seed`` (order of the reference faces), ``batch_size`` and
    ``reuse_pad`` (shift applied to a reference face translated more than once).

    Returns an ImageSet of split ``train``, origin ``generated``, label ``target_class``. Its
    metadata records the generator family (display name) and, for each face, the index in
    ``train_sample`` of the reference face it was translated from (``source_indices``), so its
    change can be measured later.
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
        generator["G"],
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
            "generated_by": f"{family}: {reference_class} -> {target_class}",
            "generator_family": family,
            "target_class": target_class,
            "reference_class": reference_class,
            "reference_faces": int(len(reference_rows)),
            "source_indices": reference_rows[order].tolist(),
            "seed": int(settings.get("seed", 0)),
        },
    )


def build_augmented_train_sample(train_sample: ImageSet, *generated: ImageSet) -> ImageSet:
    """The original sample followed by every generated set (``origin`` tells them apart)."""
    made_by = sorted({str(g.metadata.get("generator_family", "?")) for g in generated})
    return ImageSet.concat(
        [train_sample, *generated],
        purpose=f"train_sample + generated faces of every target class ({', '.join(made_by)})",
    )


def judge_faces(judge: nn.Module, images: np.ndarray, inference: dict[str, Any]) -> Judged:
    """The judge's penultimate features and labels of ``images`` (one pass each; also used by
    ``bench/cyclegan_quality.py``, so the search and the pipeline judge faces the same way)."""
    return Judged(
        penultimate_features(judge, images, **inference), predict(judge, images, **inference)
    )


def measure_generation_quality(
    quality: dict[str, int],
    judge_inference: dict[str, Any],
    judge: nn.Module,
    train_sample: ImageSet,
    test_full: ImageSet,
    *generated: ImageSet,
) -> dict[str, Any]:
    """Per generated class: the independent judge's verdict, memorisation and diversity (JSON).

    ``judged``: label fidelity, relative fidelity, Fréchet distances (generated / source line /
    floor) to real *test* faces of the class, k-NN precision/recall, share still called the
    reference class (:mod:`emotion_gan.stats.judged_quality`). ``memorisation``/``diversity``:
    pixel distances to the real *training* faces of the class — those G's discriminator saw.
    """
    report: dict[str, Any] = {
        "distance": "RMS pixel difference, pixels scaled to [0, 1]",
        "judge": {"architecture": getattr(judge, "config", {}), "features": "penultimate"},
        "classes": {},
    }
    real_train = train_sample.subset(train_sample.origin == "real")
    for images in generated:
        if not len(images):
            continue
        target = images.metadata["target_class"]
        label, reference = label_of(target), label_of(images.metadata["reference_class"])
        real = real_train.images[real_train.labels == label]
        source_rows = np.asarray(images.metadata["source_indices"], dtype=np.int64)
        sources = train_sample.images[source_rows]
        # translate_faces uses every reference face once, unshifted, before any reuse.
        first_uses = np.arange(len(images)) < int(images.metadata["reference_faces"])
        entry = generation_quality(
            images.images,
            real,
            sources,
            max_images=quality["max_images"],
            seed=quality["seed"],
            source_is_input=first_uses,
        )
        entry["judged"] = judged_quality(
            target=label,
            reference=reference,
            generated=judge_faces(judge, images.images, judge_inference),
            source=judge_faces(judge, sources[first_uses], judge_inference),
            real_train_target=judge_faces(judge, real, judge_inference),
            real_test_target=judge_faces(
                judge, test_full.images[test_full.labels == label], judge_inference
            ),
            max_faces=quality["max_images"],
            k=int(quality.get("knn_k", 3)),
            seed=quality["seed"],
        )
        report["classes"][target] = entry
    return report


def training_cost(*histories: pd.DataFrame) -> dict[str, Any]:
    """What a family's generators cost to train, read from their loss histories (JSON).

    Per model its steps and training seconds (the trainers' ``seconds`` column: wall time of
    the training steps, continued across a resume); ``training_seconds`` is their sum — the
    budget two families are compared at — or ``None`` if any model's time is unknown.
    """
    models = [
        {"steps": int(history["step"].iloc[-1]), "seconds": _last_seconds(history)}
        for history in histories
    ]
    seconds = [m["seconds"] for m in models]
    total = None if None in seconds else float(sum(seconds))
    return {"models": models, "training_seconds": total}


def _last_seconds(history: pd.DataFrame) -> float | None:
    """Training seconds of a finished run; ``None`` if not recorded (older runs, old resumes)."""
    if "seconds" not in history:
        return None
    seconds = float(history["seconds"].iloc[-1])
    return seconds if np.isfinite(seconds) else None


def plot_fig3_samples(
    fig3: dict[str, int], train_sample: ImageSet, *generated: ImageSet
) -> Image.Image:
    """Paper Fig. 3 with source → translation pairs (:func:`figures.generation.fig3_pairs`)."""
    return figure_to_image(fig3_pairs(train_sample, generated, **fig3))


def plot_generation_quality(generation_quality: dict[str, Any]) -> Image.Image:
    """The judge's verdict per class (:func:`figures.generation.judged_quality_bars`)."""
    return figure_to_image(judged_quality_bars(generation_quality["classes"]))

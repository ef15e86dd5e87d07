"""evaluate: every variant × seed on the 7 %, 14 % and full test sets → metrics, tables, report.

The paper reports only per-class one-vs-rest "accuracy" (Tables 1–2). We compute it so our
numbers can sit beside the paper's, but the verdict uses metrics that a majority-class
classifier cannot inflate: macro-F1 and the minority class's recall, with the seed spread and a
paired bootstrap against the baseline on the same test images. The statistics are in
:mod:`emotion_gan.stats`; these nodes unpack parameters, call them and assemble metrics.json.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PIL import Image

from emotion_gan.figures.document import ReportDocument
from emotion_gan.figures.emotions import plot_confusion_matrices as plot_confusion_panels
from emotion_gan.figures.generation import family_comparison_bars
from emotion_gan.figures.style import figure_to_image
from emotion_gan.imageset import ImageSet
from emotion_gan.models.classifier import EmotionCNN, predict
from emotion_gan.pipelines.evaluate import report
from emotion_gan.stats.classification import count_metrics, seed_metrics, summarise_seed_metrics
from emotion_gan.stats.paired_tests import bootstrap_weights, compare_on_test_images
from emotion_gan.stats.summary import mean_sd
from emotion_gan.stats.verdict import PairedPredictions, verdict
from emotion_gan.vocabulary import (
    BASELINE,
    DISPLAY_NAMES,
    EMOTIONS,
    GENERATOR_FAMILIES,
    TEST_SET_TITLES,
    TEST_SETS,
    TEST_SUBSETS,
)


def _predict_seeds(
    classifiers: dict[str, EmotionCNN], images: np.ndarray, evaluation: dict[str, Any]
) -> dict[str, np.ndarray]:
    inference = evaluation["inference"]
    return {
        seed: predict(
            model,
            images,
            batch_size=inference["batch_size"],
            device=inference["device"],
            precision=inference["precision"],
        )
        for seed, model in classifiers.items()
    }


def predict_test_sets(
    *,
    classifier: dict[str, EmotionCNN],
    training_summary: dict[str, Any],
    test_7pct: ImageSet,
    test_14pct: ImageSet,
    test_full: ImageSet,
    evaluation: dict[str, Any],
) -> dict[str, Any]:
    """Each seed's predicted labels on each test set, plus the variant's training summary.

    The 7 % and 14 % sets are drawn from the test split, so their images repeat in
    ``test_full``: every distinct image is classified once and the labels are mapped back.
    """
    sets = dict(zip(TEST_SETS, (test_7pct, test_14pct, test_full), strict=True))
    stacked = np.concatenate([s.images for s in sets.values()])
    distinct, inverse = np.unique(stacked.reshape(len(stacked), -1), axis=0, return_inverse=True)
    per_seed = _predict_seeds(classifier, distinct.reshape(-1, *stacked.shape[1:]), evaluation)
    bounds = np.cumsum([0] + [len(s) for s in sets.values()])
    predictions = {
        name: {
            seed: labels[inverse.ravel()][bounds[i] : bounds[i + 1]]
            for seed, labels in per_seed.items()
        }
        for i, name in enumerate(sets)
    }
    return {"training": training_summary, "predictions": predictions}


def measure_label_fidelity(
    classifier: dict[str, EmotionCNN],
    augmented_train_sample: ImageSet,
    evaluation: dict[str, Any],
) -> dict[str, Any]:
    """The baseline classifier's accuracy on each class's generated images.

    A CycleGAN whose "disgust" images the baseline calls "neutral" has not produced disgust;
    this is the cheapest check that generated images carry their intended label.
    """
    generated = augmented_train_sample.subset(augmented_train_sample.origin == "generated")
    fidelity: dict[str, Any] = {}
    for label in sorted({int(k) for k in generated.labels}):
        images = generated.of_class(label)
        per_seed = _predict_seeds(classifier, images.images, evaluation)
        accuracy = {seed: float(np.mean(p == label)) for seed, p in per_seed.items()}
        predicted = np.concatenate(list(per_seed.values()))
        fidelity[EMOTIONS[label]] = {
            "n": len(images),
            "accuracy_per_seed": accuracy,
            "accuracy": mean_sd(list(accuracy.values())),
            "predicted_as": {
                EMOTIONS[k]: float(np.mean(predicted == k)) for k in range(len(EMOTIONS))
            },
        }
    return fidelity


def _stacked_predictions(
    variant_results: dict[str, dict[str, Any]], test_set: str, seeds: list[str]
) -> dict[str, np.ndarray]:
    """variant → ``(S, N)`` predictions on ``test_set``, rows in the baseline's seed order."""
    stacked = {}
    for variant, result in variant_results.items():
        by_seed = result["predictions"][test_set]
        if list(by_seed) != seeds:
            raise ValueError(
                f"variant {variant!r} was trained with seeds {list(by_seed)} but the "
                f"baseline with {seeds}; paired comparisons need the same seeds — retrain "
                "both with the same classifier.seeds"
            )
        stacked[variant] = np.stack([by_seed[seed] for seed in seeds])
    return stacked


def _evaluate_test_set(
    paired: PairedPredictions, seeds: list[str], minority_class: str
) -> dict[str, dict[str, Any]]:
    """variant → per-seed metrics, their seed summary and (but the baseline) paired tests."""
    metrics = count_metrics(minority_class)
    baseline = paired.predictions[BASELINE]
    entries: dict[str, dict[str, Any]] = {}
    for variant, predictions in paired.predictions.items():
        per_seed = seed_metrics(paired.y_true, predictions, seeds)
        entry: dict[str, Any] = {"per_seed": per_seed, "summary": summarise_seed_metrics(per_seed)}
        if variant != BASELINE:
            entry["vs_baseline"] = compare_on_test_images(
                paired.y_true,
                baseline,
                predictions,
                weights=paired.weights,
                metrics=metrics,
                seeds=seeds,
            )
        entries[variant] = entry
    return entries


def _verdict(
    entries: dict[str, dict[str, Any]], paired: PairedPredictions, test_set: str, minority: str
) -> dict[str, Any]:
    """The verdict (:func:`emotion_gan.stats.verdict.verdict`) on one test set's entries."""
    return verdict(
        {variant: entry["summary"] for variant, entry in entries.items()},
        {
            variant: entry["vs_baseline"]
            for variant, entry in entries.items()
            if variant != BASELINE
        },
        paired,
        test_set=test_set,
        minority_class=minority,
    )


def compute_metrics(
    test_7pct: ImageSet,
    test_14pct: ImageSet,
    test_full: ImageSet,
    label_fidelity: dict[str, Any],
    generation_quality: dict[str, Any],
    judge_metrics: dict[str, Any],
    generator_families: dict[str, Any],
    evaluation: dict[str, Any],
    **variant_results: dict[str, Any],
) -> dict[str, Any]:
    """Every metric of every variant × seed × test set, seed summaries and paired tests.

    ``gan_quality`` carries the independent judge's verdict on every generated class (from
    ``generation_quality``) beside the judge's own accuracy (``judge_metrics``), so the numbers
    that say whether the generators translate sit in the same file as the ones they explain;
    ``generator_families`` the same verdict and the training cost of every generator family
    (:func:`compare_generator_families`).

    ``variant_results`` maps a variant name to the output of :func:`predict_test_sets`. Each
    non-baseline variant is compared with ``baseline`` on the same test images and seeds
    (paired bootstrap of seed means for macro-F1, top-1 and minority recall; McNemar per seed).
    """
    if BASELINE not in variant_results:
        raise ValueError(f"evaluate needs the {BASELINE!r} variant to compare against")
    if evaluation["verdict_test_set"] not in TEST_SETS:
        raise ValueError(
            f"evaluation.verdict_test_set is {evaluation['verdict_test_set']!r}; "
            f"expected one of {', '.join(TEST_SETS)}"
        )
    sets = dict(zip(TEST_SETS, (test_7pct, test_14pct, test_full), strict=True))
    seeds = list(variant_results[BASELINE]["predictions"]["test_full"])
    bootstrap, minority = evaluation["bootstrap"], evaluation["minority_class"]
    variants: dict[str, Any] = {
        v: {"training": r["training"], "test_sets": {}} for v, r in variant_results.items()
    }
    verdict_of_run: dict[str, Any] = {}
    for index, (name, test) in enumerate(sets.items()):
        paired = PairedPredictions(
            y_true=test.labels,
            predictions=_stacked_predictions(variant_results, name, seeds),
            weights=bootstrap_weights(len(test), bootstrap["resamples"], bootstrap["seed"] + index),
        )
        entries = _evaluate_test_set(paired, seeds, minority)
        for variant, entry in entries.items():
            variants[variant]["test_sets"][name] = entry
        if name == evaluation["verdict_test_set"]:
            verdict_of_run = _verdict(entries, paired, name, minority)
    return {
        "settings": {
            "seeds": seeds,
            "steps": variant_results[BASELINE]["training"]["steps"],
            "test_set_sizes": {name: len(test) for name, test in sets.items()},
            "minority_class": minority,
            "bootstrap_resamples": bootstrap["resamples"],
            "inference": evaluation["inference"],
        },
        "variants": variants,
        "label_fidelity": label_fidelity,
        "gan_quality": _gan_quality(generation_quality, judge_metrics),
        "generator_families": generator_families,
        "verdict": verdict_of_run,
    }


def _gan_quality(generation_quality: dict[str, Any], judge_metrics: dict[str, Any]) -> dict:
    """The judge's accuracy on real test faces and its verdict + near copies per class.

    ``diversity_ratio``: mean pairwise pixel distance of the generated faces ÷ that of the real
    ones (1 = as varied as real faces; near 0 = a collapsed G that makes one face per class —
    which a label-fidelity number alone would reward).
    """
    judge = judge_metrics["test_full"]
    classes = {}
    for name, entry in generation_quality["classes"].items():
        if "judged" in entry:
            memorisation = entry.get("memorisation") or {}
            diversity = entry.get("diversity") or {}
            real_spread = diversity.get("real_mean_pairwise")
            classes[name] = {
                **entry["judged"],
                "near_copy_fraction": memorisation.get("near_copy_fraction"),
                "diversity_ratio": diversity["generated_mean_pairwise"] / real_spread
                if real_spread
                else None,
            }
    return {
        "judge": {
            "architecture": judge_metrics.get("architecture", {}),
            "test_full": {k: judge[k] for k in ("n", "top1_accuracy", "macro_f1")},
        },
        "classes": classes,
    }


def compare_generator_families(
    judge_metrics: dict[str, Any], **family_outputs: dict[str, Any]
) -> dict[str, Any]:
    """Per generator family: what it cost to train and the judge's verdict on every class.

    ``family_outputs`` holds ``<family>_quality`` (its ``generation_quality``) and
    ``<family>_cost`` (its ``generator_training_cost``) for every family of
    :data:`~emotion_gan.vocabulary.GENERATOR_FAMILIES`.
    """
    families = {}
    for family in GENERATOR_FAMILIES:
        cost = family_outputs[f"{family.name}_cost"]
        quality = _gan_quality(family_outputs[f"{family.name}_quality"], judge_metrics)
        families[family.name] = {
            "display_name": family.display_name,
            "models": len(cost["models"]),
            "training_seconds": cost["training_seconds"],
            "classes": quality["classes"],
        }
    return families


def plot_generator_families(generator_families: dict[str, Any]) -> Image.Image:
    """The family comparison figure (:func:`figures.generation.family_comparison_bars`)."""
    return figure_to_image(family_comparison_bars(generator_families))


def make_tables(
    metrics: dict[str, Any], evaluation: dict[str, Any]
) -> tuple[pd.DataFrame, str, pd.DataFrame, str]:
    """Tables 1 and 2 in the paper's layout with the paper's numbers beside ours (CSV + MD)."""
    paper = evaluation["paper"]
    table1_frame, table1_md = report.table1(metrics, paper["table1"], DISPLAY_NAMES)
    table2_frame, table2_md = report.table2(metrics, paper["table2"], DISPLAY_NAMES)
    return table1_frame, table1_md, table2_frame, table2_md


def plot_confusion_matrices(metrics: dict[str, Any], evaluation: dict[str, Any]) -> Image.Image:
    """One row-normalised confusion matrix per variant (counts summed over seeds)."""
    test_set = evaluation["verdict_test_set"]
    matrices = {
        DISPLAY_NAMES.get(v, v): np.sum(
            [s["confusion_matrix"] for s in r["test_sets"][test_set]["per_seed"].values()],
            axis=0,
        )
        for v, r in metrics["variants"].items()
    }
    title = f"Confusion matrices on {TEST_SET_TITLES.get(test_set, test_set)} (all seeds)"
    return plot_confusion_panels(matrices, title)


def write_report(
    *,
    metrics: dict[str, Any],
    table1_md: str,
    table2_md: str,
    confusion_matrices: Image.Image,
    fig4_tsne_pixels: Image.Image,
    fig4_tsne_cnn_features: Image.Image,
    fig3_samples: Image.Image,
    generation_quality_figure: Image.Image,
    generator_families_figure: Image.Image,
    evaluation: dict[str, Any],
) -> ReportDocument:
    """The report (report.md + report.html + its figures): every table and figure, the paper's
    numbers beside ours, and the verdict.

    The worked example of the paper's "All" uses its baseline on the first test subset
    (``evaluation.paper.table1.test_7pct.baseline.All``, in %).
    """
    images = {
        "fig3_samples": (
            "Fig. 3 — real faces, then neutral sources beside their translations",
            fig3_samples,
        ),
        "generation_quality_figure": (
            "Generated faces as the independent judge sees them",
            generation_quality_figure,
        ),
        "generator_families_figure": (
            "Generator families compared: the judge's verdict per class at each family's budget",
            generator_families_figure,
        ),
        "confusion_matrices": ("Confusion matrices", confusion_matrices),
        "fig4_tsne_pixels": ("Fig. 4 — t-SNE of training samples, raw pixels", fig4_tsne_pixels),
        "fig4_tsne_cnn_features": (
            "Fig. 4 (CNN features) — t-SNE of the baseline CNN's penultimate features",
            fig4_tsne_cnn_features,
        ),
    }
    paper_all = evaluation["paper"]["table1"][TEST_SUBSETS[0]][BASELINE][report.ALL] / 100
    return report.render_report(metrics, table1_md, table2_md, images, paper_all, DISPLAY_NAMES)

"""evaluate: every variant × seed on the 7 %, 14 % and full test sets → metrics, tables, report.

The paper reports only per-class one-vs-rest "accuracy" (Tables 1–2). We compute it so our
numbers can sit beside the paper's, but the verdict uses metrics that a majority-class
classifier cannot inflate: macro-F1 and the minority class's recall, with the seed spread and a
paired bootstrap against the baseline on the same test images.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PIL import Image

from emotion_gan.imageset import EMOTIONS, ImageSet, label_of
from emotion_gan.models.classifier import EmotionCNN, predict
from emotion_gan.models.metrics import (
    bootstrap_weights,
    classification_metrics,
    macro_f1_from_counts,
    mcnemar_test,
    mean_sd,
    minority_recall_from_counts,
    paired_bootstrap,
    stacked_confusions,
    top1_from_counts,
)
from emotion_gan.pipelines.evaluate import figures, report

#: The test sets of the paper's protocol, in the order tables show them.
TEST_SETS: tuple[str, ...] = ("test_7pct", "test_14pct", "test_full")
BASELINE = "baseline"
SCALAR_METRICS = ("top1_accuracy", "macro_f1", "balanced_accuracy", "one_vs_rest_accuracy_mean")
PER_CLASS_METRICS = ("precision", "recall", "f1", "one_vs_rest_accuracy")


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
    sets = {"test_7pct": test_7pct, "test_14pct": test_14pct, "test_full": test_full}
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


def _summarise(per_seed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Mean ± sd over seeds of every scalar and per-class metric."""
    runs = list(per_seed.values())
    return {
        **{key: mean_sd([r[key] for r in runs]) for key in SCALAR_METRICS},
        "per_class": {
            name: {
                key: mean_sd([r["per_class"][name][key] for r in runs]) for key in PER_CLASS_METRICS
            }
            for name in EMOTIONS
        },
    }


def _compare(
    y_true: np.ndarray,
    baseline: np.ndarray,
    variant: np.ndarray,
    *,
    weights: np.ndarray,
    minority: int,
    seeds: list[str],
) -> dict[str, Any]:
    """Paired bootstrap (seed means) of three metrics and an exact McNemar test per seed."""
    metric_fns = {
        "macro_f1": macro_f1_from_counts,
        "top1_accuracy": top1_from_counts,
        "minority_recall": _metric_fn("minority_recall", minority),
    }
    return {
        **{
            name: paired_bootstrap(y_true, baseline, variant, fn, weights)
            for name, fn in metric_fns.items()
        },
        "mcnemar_per_seed": {
            seed: mcnemar_test(baseline[i] == y_true, variant[i] == y_true)
            for i, seed in enumerate(seeds)
        },
    }


#: What the verdict ranks variants by: metrics a majority-class classifier cannot inflate.
CRITERIA = ("macro_f1", "minority_recall")


def _criterion(summary: dict[str, Any], criterion: str, minority_class: str) -> dict[str, float]:
    if criterion == "macro_f1":
        return summary["macro_f1"]
    return summary["per_class"][minority_class]["recall"]


def _metric_fn(criterion: str, minority: int) -> Any:
    return (
        macro_f1_from_counts if criterion == "macro_f1" else minority_recall_from_counts(minority)
    )


def _difference(
    winner: dict[str, float], other: dict[str, float], p_value: float
) -> dict[str, Any]:
    """Δ of seed means, the seed spread (sum of both seed sds) and whether Δ exceeds it."""
    delta = winner["mean"] - other["mean"]
    spread = winner["sd"] + other["sd"]
    return {
        "delta": delta,
        "seed_spread": spread,
        "exceeds_seed_spread": bool(abs(delta) > spread),
        "p_value": p_value,
    }


def _verdict(
    variants: dict[str, Any],
    stacked: dict[str, np.ndarray],
    test: ImageSet,
    weights: np.ndarray,
    evaluation: dict[str, Any],
) -> dict[str, Any]:
    """The report's answer on the verdict test set, from measured values only.

    Per criterion: the best variant vs the baseline; and the best GAN-based variant vs the
    best cheap alternative (``evaluation.families``), with a paired bootstrap between them.
    """
    test_set = evaluation["verdict_test_set"]
    minority_class = evaluation["minority_class"]
    minority = label_of(minority_class)
    verdict: dict[str, Any] = {}
    for criterion in CRITERIA:
        stats = {
            v: _criterion(r["test_sets"][test_set]["summary"], criterion, minority_class)
            for v, r in variants.items()
        }
        ranking = sorted(stats.items(), key=lambda item: -item[1]["mean"])
        best = ranking[0][0]
        comparison = variants[best]["test_sets"][test_set].get("vs_baseline")
        verdict[criterion] = {
            "test_set": test_set,
            "best_variant": best,
            "best": stats[best],
            "baseline": stats[BASELINE],
            **_difference(
                stats[best],
                stats[BASELINE],
                comparison[criterion]["p_value"] if comparison else 1.0,
            ),
            "ranking": [[v, stat] for v, stat in ranking],
        }
        leaders = {
            family: max(present, key=lambda v: stats[v]["mean"])
            for family, members in evaluation["families"].items()
            if (present := [v for v in members if v in stats])
        }
        if {"gan_augmentation", "cheap_alternatives"} <= set(leaders):
            gan, cheap = leaders["gan_augmentation"], leaders["cheap_alternatives"]
            test_result = paired_bootstrap(
                test.labels, stacked[cheap], stacked[gan], _metric_fn(criterion, minority), weights
            )
            verdict[criterion]["gan_vs_cheap_alternatives"] = {
                "test_set": test_set,
                "gan_variant": gan,
                "alternative_variant": cheap,
                "gan": stats[gan],
                "alternative": stats[cheap],
                **_difference(stats[gan], stats[cheap], test_result["p_value"]),
            }
    return verdict


def compute_metrics(
    test_7pct: ImageSet,
    test_14pct: ImageSet,
    test_full: ImageSet,
    label_fidelity: dict[str, Any],
    evaluation: dict[str, Any],
    **variant_results: dict[str, Any],
) -> dict[str, Any]:
    """Every metric of every variant × seed × test set, seed summaries and paired tests.

    ``variant_results`` maps a variant name to the output of :func:`predict_test_sets`. Each
    non-baseline variant is compared with ``baseline`` on the same test images and seeds
    (paired bootstrap of seed means for macro-F1, top-1 and minority recall; McNemar per seed).
    """
    if BASELINE not in variant_results:
        raise ValueError(f"evaluate needs the {BASELINE!r} variant to compare against")
    minority = label_of(evaluation["minority_class"])
    sets = {"test_7pct": test_7pct, "test_14pct": test_14pct, "test_full": test_full}
    seeds = list(variant_results[BASELINE]["predictions"]["test_full"])
    bootstrap = evaluation["bootstrap"]
    variants: dict[str, Any] = {
        v: {"training": r["training"], "test_sets": {}} for v, r in variant_results.items()
    }
    verdict_inputs: dict[str, Any] = {}
    for index, (name, test) in enumerate(sets.items()):
        weights = bootstrap_weights(len(test), bootstrap["resamples"], bootstrap["seed"] + index)
        stacked = {}
        for variant, result in variant_results.items():
            by_seed = result["predictions"][name]
            if list(by_seed) != seeds:
                raise ValueError(
                    f"variant {variant!r} was trained with seeds {list(by_seed)} but the "
                    f"baseline with {seeds}; paired comparisons need the same seeds — retrain "
                    "both with the same classifier.seeds"
                )
            stacked[variant] = np.stack([by_seed[seed] for seed in seeds])
        for variant, predictions in stacked.items():
            matrices = stacked_confusions(test.labels, predictions)
            per_seed = {
                seed: {**classification_metrics(cm), "confusion_matrix": cm.tolist()}
                for seed, cm in zip(seeds, matrices, strict=True)
            }
            entry: dict[str, Any] = {"per_seed": per_seed, "summary": _summarise(per_seed)}
            if variant != BASELINE:
                entry["vs_baseline"] = _compare(
                    test.labels,
                    stacked[BASELINE],
                    predictions,
                    weights=weights,
                    minority=minority,
                    seeds=seeds,
                )
            variants[variant]["test_sets"][name] = entry
        if name == evaluation["verdict_test_set"]:
            verdict_inputs = {"stacked": stacked, "test": test, "weights": weights}
    return {
        "settings": {
            "seeds": seeds,
            "steps": variant_results[BASELINE]["training"]["steps"],
            "test_set_sizes": {name: len(test) for name, test in sets.items()},
            "minority_class": evaluation["minority_class"],
            "bootstrap_resamples": bootstrap["resamples"],
            "inference": evaluation["inference"],
        },
        "variants": variants,
        "label_fidelity": label_fidelity,
        "verdict": _verdict(variants, evaluation=evaluation, **verdict_inputs),
    }


def make_tables(
    metrics: dict[str, Any], evaluation: dict[str, Any]
) -> tuple[pd.DataFrame, str, pd.DataFrame, str]:
    """Tables 1 and 2 in the paper's layout with the paper's numbers beside ours (CSV + MD)."""
    paper = evaluation["paper"]
    names = evaluation["display_names"]
    table1_frame, table1_md = report.table1(metrics, paper["table1"], names)
    table2_frame, table2_md = report.table2(metrics, paper["table2"], names)
    return table1_frame, table1_md, table2_frame, table2_md


def plot_confusion_matrices(metrics: dict[str, Any], evaluation: dict[str, Any]) -> Image.Image:
    """One row-normalised confusion matrix per variant (counts summed over seeds)."""
    test_set = evaluation["verdict_test_set"]
    names = evaluation["display_names"]
    matrices = {
        names.get(v, v): np.sum(
            [s["confusion_matrix"] for s in r["test_sets"][test_set]["per_seed"].values()],
            axis=0,
        )
        for v, r in metrics["variants"].items()
    }
    title = f"Confusion matrices on {report.TEST_SET_TITLES.get(test_set, test_set)} (all seeds)"
    return figures.plot_confusion_matrices(matrices, title)


def write_report(
    *,
    metrics: dict[str, Any],
    table1_md: str,
    table2_md: str,
    confusion_matrices: Image.Image,
    fig4_tsne_pixels: Image.Image,
    fig4_tsne_cnn_features: Image.Image,
    evaluation: dict[str, Any],
) -> str:
    """report.md: every table and figure, the paper's numbers beside ours, and the verdict."""
    images = {
        "confusion_matrices": ("Confusion matrices", confusion_matrices),
        "fig4_tsne_pixels": ("Fig. 4 — t-SNE of training samples, raw pixels", fig4_tsne_pixels),
        "fig4_tsne_cnn_features": (
            "Fig. 4 (CNN features) — t-SNE of the baseline CNN's penultimate features",
            fig4_tsne_cnn_features,
        ),
    }
    return report.render_report(metrics, table1_md, table2_md, images, evaluation["display_names"])

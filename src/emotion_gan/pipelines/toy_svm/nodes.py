"""Nodes of the §4.1 toy experiment: draw Gaussian classes, train a linear SVM on the imbalanced
data, augment the minority class with a 2-D CycleGAN (and with cheap alternatives), compare.

Every node handles all seeds at once (a list with one entry per seed), because the paper's
single draw is replaced by ``num_seeds`` draws whose accuracies are compared seed by seed.
The two reference classes (the paper does not say which majority class it translated from)
are two namespaces over one template pipeline, see ``pipeline.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from emotion_gan.models.toy.classifiers import accuracy, fit_linear_svm, smote_oversample
from emotion_gan.models.toy.point_cyclegan import (
    PointCycleGAN,
    PointCycleGANSettings,
    train_point_cyclegan,
)
from emotion_gan.pipelines.toy_svm import plots
from emotion_gan.sources.toy_gaussians import GaussianClasses, ToyDraw, draw_toy_data
from emotion_gan.stats.judged_quality import Judged, judged_quality
from emotion_gan.stats.paired_tests import compare_over_seeds
from emotion_gan.stats.summary import mean_sd_per_seed

logger = logging.getLogger(__name__)

#: Methods in the order the metrics and the accuracy figure list them.
METHODS = ("baseline", "cyclegan", "class_weight", "smote", "oracle")


def _classes(classes: Mapping[str, Any]) -> GaussianClasses:
    return GaussianClasses.from_lists(classes["means"], classes["covariance"])


def draw_toy_datasets(
    *,
    classes: Mapping[str, Any],
    train_counts: Sequence[int],
    test_counts: Sequence[int],
    minority_class: int,
    oracle_extra_count: int,
    first_seed: int,
    num_seeds: int,
) -> list[ToyDraw]:
    """Draw the training set (1000/1000/100), the test set (100 per class) and the oracle's
    extra minority points once per seed ``first_seed … first_seed+num_seeds−1``."""
    if num_seeds < 1:
        raise ValueError(f"num_seeds must be at least 1, got {num_seeds}")
    gaussians = _classes(classes)
    return [
        draw_toy_data(
            gaussians,
            train_counts=train_counts,
            test_counts=test_counts,
            minority_class=minority_class,
            oracle_extra_count=oracle_extra_count,
            seed=seed,
        )
        for seed in range(first_seed, first_seed + num_seeds)
    ]


def _score_each_seed(
    draws: Sequence[ToyDraw],
    training_set: Callable[[ToyDraw], tuple[np.ndarray, np.ndarray]],
    svm: Mapping[str, Any],
    class_weight: str | None = None,
) -> list[float]:
    """Test accuracy of the linear SVM trained on ``training_set(draw)``, one per seed."""
    scores = []
    for draw in draws:
        points, labels = training_set(draw)
        model = fit_linear_svm(
            points, labels, regularisation_c=svm["regularisation_c"], class_weight=class_weight
        )
        scores.append(accuracy(model, draw.test_points, draw.test_labels))
    return scores


def _imbalanced(draw: ToyDraw) -> tuple[np.ndarray, np.ndarray]:
    return draw.train_points, draw.train_labels


def score_baseline(draws: list[ToyDraw], svm: dict[str, Any]) -> list[float]:
    """The paper's baseline: the linear SVM on the imbalanced training set."""
    return _score_each_seed(draws, _imbalanced, svm)


def score_class_weighted(draws: list[ToyDraw], svm: dict[str, Any]) -> list[float]:
    """Cheap baseline: the same SVM with ``class_weight="balanced"`` (no new points)."""
    return _score_each_seed(draws, _imbalanced, svm, class_weight="balanced")


def score_smote(
    draws: list[ToyDraw], minority_class: int, smote: dict[str, Any], svm: dict[str, Any]
) -> list[float]:
    """Cheap baseline: SMOTE the minority class up to ``smote.minority_count`` points."""

    def smoted(draw: ToyDraw) -> tuple[np.ndarray, np.ndarray]:
        return smote_oversample(
            draw.train_points,
            draw.train_labels,
            minority_class=minority_class,
            minority_count=smote["minority_count"],
            k_neighbors=smote["k_neighbors"],
            seed=draw.seed,
        )

    return _score_each_seed(draws, smoted, svm)


def _with_minority_points(
    draw: ToyDraw, minority_class: int, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.concatenate([draw.train_points, points]),
        np.concatenate([draw.train_labels, np.full(len(points), minority_class)]),
    )


def score_oracle(draws: list[ToyDraw], minority_class: int, svm: dict[str, Any]) -> list[float]:
    """Upper reference: the same SVM with 900 more *real* minority points (balanced data)."""
    return _score_each_seed(
        draws,
        lambda draw: _with_minority_points(draw, minority_class, draw.oracle_minority_points),
        svm,
    )


def compute_bayes_accuracy(classes: dict[str, Any]) -> float:
    """Bayes-optimal accuracy of the true classes on the test distribution (equal priors):
    the ceiling every method's expected accuracy sits under."""
    return _classes(classes).bayes_accuracy()


def train_point_cyclegans(
    draws: list[ToyDraw],
    reference_class: int,
    minority_class: int,
    cyclegan: dict[str, Any],
) -> tuple[list[PointCycleGAN], list[list[dict[str, float]]]]:
    """Train one 2-D CycleGAN per seed between the reference and the minority (target) class.

    Returns the trained translators and each seed's loss history. The draw's seed also seeds
    the CycleGAN (initial weights, batches), so each seed's run is reproducible on its own.
    """
    if reference_class == minority_class:
        raise ValueError(
            f"reference class {reference_class} is the minority class; the CycleGAN must "
            "translate from a majority class — fix reference_class in parameters_toy_svm.yml"
        )
    translators, histories = [], []
    for draw in draws:
        settings = PointCycleGANSettings.from_params(cyclegan, seed=draw.seed)
        translator, history = train_point_cyclegan(
            draw.train_points_of(reference_class),
            draw.train_points_of(minority_class),
            settings,
            progress_desc=f"toy CycleGAN {reference_class}→{minority_class} seed {draw.seed}",
        )
        translators.append(translator)
        histories.append(history)
    return translators, histories


def generate_minority_points(
    draws: list[ToyDraw],
    translators: list[PointCycleGAN],
    reference_class: int,
    generated_count: int,
) -> list[np.ndarray]:
    """G turns ``generated_count`` randomly chosen training reference points into minority
    points (the paper: 900), one array per seed."""
    generated = []
    for draw, translator in zip(draws, translators, strict=True):
        reference = draw.train_points_of(reference_class)
        if generated_count > len(reference):
            raise ValueError(
                f"seed {draw.seed}: cannot translate {generated_count} points from class "
                f"{reference_class}, which has only {len(reference)} training points"
            )
        chosen = np.random.default_rng(draw.seed).choice(
            len(reference), size=generated_count, replace=False
        )
        generated.append(translator.reference_to_target(reference[chosen]))
    return generated


#: The judged-quality numbers summarised over seeds (paths into :func:`judged_quality`'s dict).
_QUALITY_KEYS = {
    "label_fidelity": ("label_fidelity",),
    "relative_fidelity": ("relative_fidelity",),
    "source_called_target": ("source_called_target",),
    "still_reference_share": ("still_reference_share",),
    "fd_generated": ("frechet_distance", "generated"),
    "fd_source_line": ("frechet_distance", "source_line"),
    "fd_floor": ("frechet_distance", "floor"),
    "fd_generated_over_source": ("frechet_distance", "generated_over_source"),
    "knn_precision": ("knn_precision_recall", "precision"),
    "knn_recall": ("knn_precision_recall", "recall"),
}


def judge_generated_points(
    draws: list[ToyDraw],
    generated: list[np.ndarray],
    reference_class: int,
    minority_class: int,
    classes: dict[str, Any],
) -> dict[str, Any]:
    """The faces' GAN-quality numbers for the toy, judged by the Bayes-optimal classifier.

    Why the Bayes rule: it knows the true class densities, so it is an instrument no part of
    the pipeline trained and nothing can flatter. The "features" are the 2-D points
    themselves (Fréchet distance of Gaussians in the plane). Per seed: generated points vs
    real test points of the minority class, beside the source line (the reference class's
    training points, what a G that copies its input would score) and the floor (real training
    points of the minority class). Returns per-seed dicts and mean ± sd of each number.
    """
    gaussians = _classes(classes)

    def judged(points: np.ndarray) -> Judged:
        return Judged(points, gaussians.bayes_predict(points))

    per_seed = []
    for draw, points in zip(draws, generated, strict=True):
        test_target = draw.test_points[draw.test_labels == minority_class]
        per_seed.append(
            judged_quality(
                target=minority_class,
                reference=reference_class,
                generated=judged(points),
                source=judged(draw.train_points_of(reference_class)),
                real_train_target=judged(draw.train_points_of(minority_class)),
                real_test_target=judged(test_target),
                seed=draw.seed,
            )
        )
    summary = {}
    for name, path in _QUALITY_KEYS.items():
        values = [_dig(entry, path) for entry in per_seed]
        if all(v is not None for v in values):
            summary[name] = mean_sd_per_seed(values)
    return {"judge": "Bayes-optimal rule of the true Gaussians", "summary": summary,
            "per_seed": per_seed}  # fmt: skip


def _dig(entry: Mapping[str, Any], path: Sequence[str]) -> Any:
    for key in path:
        entry = entry.get(key) if isinstance(entry, Mapping) else None
    return entry


def score_cyclegan_augmented(
    draws: list[ToyDraw],
    generated: list[np.ndarray],
    minority_class: int,
    svm: dict[str, Any],
) -> list[float]:
    """The paper's method: the same SVM retrained on original + generated minority points."""
    generated_by_seed = {draw.seed: points for draw, points in zip(draws, generated, strict=True)}
    return _score_each_seed(
        draws,
        lambda draw: _with_minority_points(draw, minority_class, generated_by_seed[draw.seed]),
        svm,
    )


def _paired_comparisons(
    accuracies: Mapping[str, Sequence[float]],
    cyclegan_other_reference: Sequence[float],
    alpha: float,
) -> dict[str, Any]:
    """Every method against the baseline, the other reference, and CycleGAN vs the cheap ones."""
    baseline = accuracies["baseline"]
    comparisons = {
        f"{name}_vs_baseline": compare_over_seeds(accuracies[name], baseline, alpha)
        for name in METHODS
        if name != "baseline"
    }
    comparisons["cyclegan_other_reference_vs_baseline"] = compare_over_seeds(
        cyclegan_other_reference, baseline, alpha
    )
    for cheap in ("smote", "class_weight"):
        comparisons[f"cyclegan_vs_{cheap}"] = compare_over_seeds(
            accuracies["cyclegan"], accuracies[cheap], alpha
        )
    return comparisons


def _target(
    cyclegan_mean: float, better_than_baseline: bool, settings: Mapping[str, Any]
) -> dict[str, Any]:
    """Whether the issue's target (mean ≥ target and better than the baseline) was met."""
    alpha, target = settings["paired_test_alpha"], settings["target_cyclegan_mean"]
    mean_met = cyclegan_mean >= target
    return {
        "cyclegan_mean_at_least": target,
        "cyclegan_mean_met": bool(mean_met),
        "better_than_baseline_paired": bool(better_than_baseline),
        "met": bool(mean_met and better_than_baseline),
        "paired_test": f"two-sided Wilcoxon signed-rank over seeds, alpha={alpha}",
    }


def _setup(draws: Sequence[ToyDraw], settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a reader needs to interpret the numbers."""
    return {
        "seeds": [draw.seed for draw in draws],
        "minority_class": settings["minority_class"],
        "reference_class": settings["reference_class"],
        "other_reference_class": settings["other_reference_class"],
        "train_counts": list(settings["train_counts"]),
        "test_counts": list(settings["test_counts"]),
        "generated_count": settings["generated_count"],
        "bayes_accuracy_priors": "equal (the test distribution)",
        "cyclegan": dict(settings["cyclegan"]),
        "cyclegan_tuning": settings["cyclegan_tuning"],
    }


#: Methods in the order the log line names their mean accuracy.
_LOGGED = ("baseline", "cyclegan", "cyclegan_other_reference", "class_weight", "smote", "oracle")


def _log_summary(metrics: Mapping[str, Any], seeds: int) -> None:
    logger.info(
        "toy §4.1 over %d seeds: baseline %.4f, CycleGAN %.4f (other reference %.4f), "
        "class_weight %.4f, SMOTE %.4f, oracle %.4f, Bayes %.4f; target met: %s",
        seeds,
        *(metrics[name]["mean"] for name in _LOGGED),
        metrics["bayes_accuracy"],
        metrics["target"]["met"],
    )


def summarise_toy_metrics(
    *,
    draws: list[ToyDraw],
    baseline: list[float],
    cyclegan: list[float],
    class_weight: list[float],
    smote: list[float],
    oracle: list[float],
    cyclegan_other_reference: list[float],
    bayes_accuracy: float,
    settings: dict[str, Any],
    generated_quality: dict[str, Any] | None = None,
    generated_quality_other_reference: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """All numbers of the toy experiment in one JSON-ready dict (``toy_svm_metrics``).

    Besides mean/sd/per-seed accuracy per method, it records the paired comparisons against
    the baseline, the run with the other majority class as reference, the paper's single-draw
    numbers, and whether the issue's target (CycleGAN mean ≥ target and better than the
    baseline seed by seed) was met — stated, never tuned for on the test set.
    """
    accuracies = dict(zip(METHODS, (baseline, cyclegan, class_weight, smote, oracle), strict=True))
    metrics: dict[str, Any] = {"bayes_accuracy": float(bayes_accuracy)}
    metrics.update({name: mean_sd_per_seed(accuracies[name]) for name in METHODS})
    metrics["cyclegan"]["reference_class"] = settings["reference_class"]
    metrics["cyclegan_other_reference"] = {
        **mean_sd_per_seed(cyclegan_other_reference),
        "reference_class": settings["other_reference_class"],
    }
    metrics["paper_baseline"] = settings["paper"]["baseline"]
    metrics["paper_cyclegan"] = settings["paper"]["cyclegan"]
    comparisons = _paired_comparisons(
        accuracies, cyclegan_other_reference, settings["paired_test_alpha"]
    )
    metrics["paired_comparisons"] = comparisons
    metrics["target"] = _target(
        metrics["cyclegan"]["mean"], comparisons["cyclegan_vs_baseline"]["better"], settings
    )
    metrics["setup"] = _setup(draws, settings)
    if generated_quality is not None:  # the same GAN-quality numbers as the faces get
        metrics["gan_quality"] = {
            "reference": generated_quality["summary"],
            "other_reference": (generated_quality_other_reference or {}).get("summary"),
            "judge": generated_quality["judge"],
        }
    _log_summary(metrics, len(draws))
    return metrics


def plot_fig2a(illustration: dict[str, Any]) -> Figure:
    """Fig. 2(a): two 1-D Gaussians (sd 1) drawn imbalanced; a linear SVM's boundary S_r lands
    inside the minority class instead of at the ideal S_i = (μ1 + μ2)/2."""
    means = [float(m) for m in illustration["means"]]
    gaussians = GaussianClasses.from_lists([[m] for m in means], [[1.0]])
    points, labels = gaussians.sample(
        illustration["counts"], np.random.default_rng(illustration["seed"])
    )
    model = fit_linear_svm(points, labels)
    learned_boundary = float(-model.intercept_[0] / model.coef_[0, 0])
    return plots.one_dimensional_illustration(
        means,
        illustration["counts"],
        learned_boundary=learned_boundary,
        points=points[:, 0],
        labels=labels,
    )


def _figure_draw(draws: list[ToyDraw], seed_index: int) -> ToyDraw:
    if not 0 <= seed_index < len(draws):
        raise ValueError(
            f"figures.seed_index={seed_index} but only {len(draws)} seeds were run; "
            "pick an index below num_seeds"
        )
    return draws[seed_index]


def plot_fig2b(
    draws: list[ToyDraw], classes: dict[str, Any], svm: dict[str, Any], seed_index: int
) -> Figure:
    """Fig. 2(b): the imbalanced data and the boundaries the linear SVM learns from it."""
    draw = _figure_draw(draws, seed_index)
    model = fit_linear_svm(
        draw.train_points, draw.train_labels, regularisation_c=svm["regularisation_c"]
    )
    return plots.boundaries_figure(
        draw,
        _classes(classes),
        model,
        test_accuracy=accuracy(model, draw.test_points, draw.test_labels),
        title="Fig. 2(b): imbalanced training set, linear SVM",
    )


def plot_fig2c(
    *,
    draws: list[ToyDraw],
    generated: list[np.ndarray],
    classes: dict[str, Any],
    minority_class: int,
    reference_class: int,
    svm: dict[str, Any],
    seed_index: int,
) -> Figure:
    """Fig. 2(c): the same data plus the CycleGAN's minority points and the retrained SVM."""
    draw = _figure_draw(draws, seed_index)
    points, labels = _with_minority_points(draw, minority_class, generated[seed_index])
    model = fit_linear_svm(points, labels, regularisation_c=svm["regularisation_c"])
    return plots.boundaries_figure(
        draw,
        _classes(classes),
        model,
        test_accuracy=accuracy(model, draw.test_points, draw.test_labels),
        title=f"Fig. 2(c): + {len(generated[seed_index])} CycleGAN points "
        f"(class {reference_class}→{minority_class})",
        generated_points=generated[seed_index],
    )


def plot_generated_vs_density(
    *,
    draws: list[ToyDraw],
    generated: list[np.ndarray],
    classes: dict[str, Any],
    minority_class: int,
    reference_class: int,
    seed_index: int,
) -> Figure:
    """Generated minority points over the true minority density contours."""
    draw = _figure_draw(draws, seed_index)
    return plots.generated_versus_density(
        draw,
        _classes(classes),
        minority_class=minority_class,
        reference_class=reference_class,
        generated_points=generated[seed_index],
    )


def plot_accuracy_over_seeds(metrics: dict[str, Any]) -> Figure:
    """Accuracy of every method over the seeds, with the Bayes ceiling and the paper's numbers."""

    def label(name: str) -> str:
        if name == "cyclegan":
            return f"cyclegan (ref. {metrics['cyclegan']['reference_class']})"
        return name

    per_method = {label(name): metrics[name]["per_seed"] for name in METHODS}
    other = metrics["cyclegan_other_reference"]
    per_method[f"cyclegan (ref. {other['reference_class']})"] = other["per_seed"]
    return plots.accuracy_over_seeds(
        per_method,
        metrics["bayes_accuracy"],
        {
            "paper baseline (1 draw)": metrics["paper_baseline"],
            "paper CycleGAN (1 draw)": metrics["paper_cyclegan"],
        },
    )

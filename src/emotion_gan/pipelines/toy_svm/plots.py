"""Figures of the toy experiment (paper Fig. 2 and beyond): pure functions returning Figures.

The catalog saves them (kedro-datasets ``MatplotlibDataset``, versioned), so nothing here
touches files. Figures are ``matplotlib.figure.Figure`` objects in the project's style
(:mod:`emotion_gan.figures.style`), never pyplot ones: nothing is registered globally, so a
figure is freed with its last reference and a long session does not accumulate them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy.stats import norm
from sklearn.svm import SVC

from emotion_gan.figures.style import (
    GENERATED_COLOUR,
    GENERATED_MARKER,
    HIGHLIGHT_COLOUR,
    LABEL_SIZE,
    LEGEND_SIZE,
    REFERENCE_COLOUR,
    SMALL_TITLE_SIZE,
    TICK_SIZE,
    TITLE_SIZE,
    new_axes,
)
from emotion_gan.figures.style import point_class_colour as _colour
from emotion_gan.sources.toy_gaussians import GaussianClasses, ToyDraw


def _label_axes(
    ax: Axes, xlabel: str, ylabel: str, title: str, title_size: int = TITLE_SIZE
) -> None:
    """Axis labels, tick labels and title in the project's font sizes."""
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.set_title(title, fontsize=title_size)


def _fit_extent(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    """Show exactly ``extent`` (x₀, x₁, y₀, y₁) with equal units on both axes."""
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")


def one_dimensional_illustration(
    means: Sequence[float],
    counts: Sequence[int],
    *,
    learned_boundary: float,
    points: np.ndarray,
    labels: np.ndarray,
) -> Figure:
    """Fig. 2(a): two 1-D Gaussians (sd 1), the ideal boundary S_i and the learned S_r.

    The densities are scaled by the class counts, so the picture shows why a loss summed over
    points pulls the boundary into the sparse class.
    """
    fig, ax = new_axes(6.4, 3.6)
    grid = np.linspace(min(means) - 4, max(means) + 4, 600)
    bins = np.linspace(grid[0], grid[-1], 60)
    width = bins[1] - bins[0]
    for label, (mean, count) in enumerate(zip(means, counts, strict=True), start=1):
        ax.hist(points[labels == label], bins=bins, color=_colour(label), alpha=0.35)
        ax.plot(
            grid,
            count * width * norm.pdf(grid, loc=mean),
            color=_colour(label),
            label=f"class {label}: μ={mean:g}, n={count}",
        )
    ideal = 0.5 * (means[0] + means[1])
    ax.axvline(ideal, color="black", linestyle="--", label=f"S_i = (μ1+μ2)/2 = {ideal:.2f}")
    ax.axvline(
        learned_boundary, color=HIGHLIGHT_COLOUR, label=f"S_r (linear SVM) = {learned_boundary:.2f}"
    )
    ax.set_yscale("symlog", linthresh=1.0)
    title = "Fig. 2(a): imbalance pulls the learned boundary S_r into the minority class"
    _label_axes(ax, "x", "points per bin", title)
    ax.legend(fontsize=LEGEND_SIZE, loc="upper right")
    return fig


def _plot_region_boundaries(
    ax: Axes,
    predict: Callable[[np.ndarray], np.ndarray],
    extent: tuple[float, float, float, float],
    **style: object,
) -> None:
    """Draw where ``predict`` changes label on a fine grid (the classifier's real boundaries)."""
    xs = np.linspace(extent[0], extent[1], 400)
    ys = np.linspace(extent[2], extent[3], 400)
    grid_x, grid_y = np.meshgrid(xs, ys)
    predicted = predict(np.column_stack([grid_x.ravel(), grid_y.ravel()])).reshape(grid_x.shape)
    for label in np.unique(predicted):
        ax.contour(grid_x, grid_y, (predicted == label).astype(float), levels=[0.5], **style)


def _extent(points: np.ndarray) -> tuple[float, float, float, float]:
    low = points.min(axis=0) - 0.5
    high = points.max(axis=0) + 0.5
    return (low[0], high[0], low[1], high[1])


def boundaries_figure(
    draw: ToyDraw,
    classes: GaussianClasses,
    model: SVC,
    *,
    test_accuracy: float,
    title: str,
    generated_points: np.ndarray | None = None,
) -> Figure:
    """Fig. 2(b)/(c): training points, the SVM's boundaries and the Bayes-optimal ones (dashed).

    Generated minority points, when given, are drawn as red crosses so they are never mistaken
    for real ones.
    """
    fig, ax = new_axes(6.0, 5.6)
    for label in classes.labels:
        real = draw.train_points_of(int(label))
        ax.scatter(
            real[:, 0],
            real[:, 1],
            s=6,
            color=_colour(label),
            alpha=0.45,
            label=f"class {label} (real, n={len(real)})",
        )
    shown = draw.train_points
    if generated_points is not None:
        _scatter_generated(ax, generated_points, "generated")
        shown = np.concatenate([shown, generated_points])
    extent = _extent(shown)
    _plot_region_boundaries(ax, model.predict, extent, colors="black", linewidths=1.4)
    _plot_region_boundaries(
        ax, classes.bayes_predict, extent, colors=REFERENCE_COLOUR, linewidths=1.0, linestyles="--"
    )
    ax.plot([], [], color="black", label=f"linear SVM (test accuracy {test_accuracy:.3f})")
    ax.plot([], [], color=REFERENCE_COLOUR, linestyle="--", label="Bayes-optimal boundary")
    _fit_extent(ax, extent)
    _label_axes(ax, "x₁", "x₂", f"{title} (seed {draw.seed})")
    ax.legend(fontsize=LEGEND_SIZE, loc="lower right")
    return fig


def _scatter_generated(ax: Axes, points: np.ndarray, label: str) -> None:
    """Generated points drawn the same way in every figure (crosses in one colour)."""
    ax.scatter(
        points[:, 0],
        points[:, 1],
        s=10,
        marker=GENERATED_MARKER,
        linewidths=0.7,
        color=GENERATED_COLOUR,
        alpha=0.6,
        label=f"{label} (n={len(points)})",
    )


def generated_versus_density(
    draw: ToyDraw,
    classes: GaussianClasses,
    *,
    minority_class: int,
    reference_class: int,
    generated_points: np.ndarray,
) -> Figure:
    """Generated minority points over the true minority density (1σ, 2σ, 3σ contours).

    The title compares the generated points' mean and covariance with the true ones: the toy's
    direct check that the generator learnt the minority distribution, not only the test score.
    """
    fig, ax = new_axes(6.0, 5.6)
    real = draw.train_points_of(minority_class)
    reference = draw.train_points_of(reference_class)
    ax.scatter(
        reference[:, 0],
        reference[:, 1],
        s=4,
        color=_colour(reference_class),
        alpha=0.2,
        label=f"reference class {reference_class} (real)",
    )
    _scatter_generated(ax, generated_points, f"generated class {minority_class}")
    ax.scatter(
        real[:, 0],
        real[:, 1],
        s=14,
        color=_colour(minority_class),
        edgecolors="black",
        linewidths=0.4,
        label=f"real class {minority_class} (n={len(real)})",
    )
    extent = _extent(np.concatenate([real, generated_points, reference]))
    xs = np.linspace(extent[0], extent[1], 300)
    ys = np.linspace(extent[2], extent[3], 300)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    peak = classes.density(minority_class, classes.mean_of(minority_class))
    # For a 2-D Gaussian the density at Mahalanobis radius r is peak·exp(−r²/2).
    levels = sorted(peak * np.exp(-0.5 * np.array([1.0, 2.0, 3.0]) ** 2))
    ax.contour(
        xs, ys, classes.density(minority_class, grid), levels=levels, colors="black", linewidths=0.9
    )
    ax.plot([], [], color="black", label=f"true class {minority_class} density (1σ, 2σ, 3σ)")
    mean = generated_points.mean(axis=0)
    cov = np.cov(generated_points, rowvar=False)
    true_mean = classes.mean_of(minority_class)
    title = (
        f"Generated vs true class {minority_class} (seed {draw.seed})\n"
        f"mean {np.round(mean, 2).tolist()} vs {np.round(true_mean, 2).tolist()}; "
        f"cov {np.round(cov, 2).tolist()} vs {np.round(classes.covariance, 2).tolist()}"
    )
    _fit_extent(ax, extent)
    _label_axes(ax, "x₁", "x₂", title, title_size=SMALL_TITLE_SIZE)
    ax.legend(fontsize=LEGEND_SIZE, loc="lower right")
    return fig


def accuracy_over_seeds(
    per_method: Mapping[str, Sequence[float]],
    bayes_accuracy: float,
    paper_values: Mapping[str, float],
) -> Figure:
    """Box plot of test accuracy over seeds per method, with the Bayes ceiling and the paper's
    single-draw numbers as horizontal lines; the dots are the individual seeds."""
    fig, ax = new_axes(7.2, 4.2)
    names = list(per_method)
    values = [np.asarray(per_method[name], dtype=float) for name in names]
    ax.boxplot(values, tick_labels=names, showmeans=True, showfliers=False)
    jitter = np.random.default_rng(0)
    for position, accuracies in enumerate(values, start=1):
        ax.scatter(
            position + jitter.uniform(-0.12, 0.12, len(accuracies)),
            accuracies,
            s=10,
            color="black",
            alpha=0.5,
            zorder=3,
        )
    ax.axhline(
        bayes_accuracy,
        color=HIGHLIGHT_COLOUR,
        linestyle="--",
        label=f"Bayes-optimal {bayes_accuracy:.4f}",
    )
    for (name, value), style in zip(paper_values.items(), (":", "-."), strict=False):
        ax.axhline(value, color=REFERENCE_COLOUR, linestyle=style, label=f"{name} {value:.3f}")
    title = f"§4.1 toy: accuracy over {len(values[0])} seeds"
    _label_axes(ax, "method", "test accuracy (100 points per class)", title)
    ax.tick_params(axis="x", labelrotation=20)
    ax.legend(fontsize=LEGEND_SIZE, loc="lower right")
    return fig

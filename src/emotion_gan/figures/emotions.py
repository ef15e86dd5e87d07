"""Figures of the seven emotion classes (evaluation and t-SNE reports), as in-memory PIL images.

Why PIL images rather than matplotlib Figures: the catalog saves them as versioned PNGs
(kedro-datasets ``pillow.ImageDataset``) *and can load them back*, so the report node can embed
the exact figures of a run even when it runs in a later ``kedro run``. Figures are built in the
project's style (:mod:`emotion_gan.figures.style`) and rendered to PNG bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.lines import Line2D
from PIL import Image

from emotion_gan.figures.style import (
    ANNOTATION_SIZE,
    EMOTION_COLOURS,
    GENERATED_MARKER,
    LABEL_SIZE,
    LEGEND_SIZE,
    REAL_MARKER,
    TICK_SIZE,
    TITLE_SIZE,
    emotion_colour,
    figure_to_image,
    new_figure,
)
from emotion_gan.vocabulary import EMOTIONS


def plot_confusion_matrices(matrices: Mapping[str, np.ndarray], title: str) -> Image.Image:
    """Row-normalised confusion matrices (true class → predicted), one panel per variant.

    Cells show the share of each true class predicted as each class, so the minority rows are
    as readable as the majority ones.
    """
    n = len(matrices)
    cols = min(3, n)
    rows = -(-n // cols)
    fig = new_figure(4.2 * cols, 3.9 * rows + 0.5)
    fig.suptitle(title)
    axes = fig.subplots(rows, cols, squeeze=False)
    short = [e[:3] for e in EMOTIONS]
    for ax, (name, counts) in zip(axes.ravel(), matrices.items(), strict=False):
        cm = np.asarray(counts, dtype=np.float64)
        share = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
        ax.imshow(share, vmin=0, vmax=1, cmap="Blues")
        for (i, j), value in np.ndenumerate(share):
            colour = "white" if value > 0.6 else "black"
            ax.text(
                j,
                i,
                f"{value:.2f}",
                ha="center",
                va="center",
                color=colour,
                fontsize=ANNOTATION_SIZE,
            )
        ax.set_title(name, fontsize=TITLE_SIZE)
        ax.set_xticks(range(len(EMOTIONS)), short, fontsize=TICK_SIZE)
        ax.set_yticks(range(len(EMOTIONS)), short, fontsize=TICK_SIZE)
        ax.set_xlabel("predicted", fontsize=LABEL_SIZE)
        ax.set_ylabel("true", fontsize=LABEL_SIZE)
    for ax in axes.ravel()[n:]:
        ax.set_axis_off()
    return figure_to_image(fig)


@dataclass(frozen=True)
class ScatterPanel:
    """One t-SNE panel: 2-D points, their labels, and which points are generated."""

    title: str
    points: np.ndarray
    labels: np.ndarray
    generated: np.ndarray


def _legend_handles() -> list[Line2D]:
    """One dot per emotion colour, then what the two markers mean."""
    return [
        Line2D([], [], linestyle="", marker=REAL_MARKER, color=colour, label=name)
        for name, colour in EMOTION_COLOURS.items()
    ] + [
        Line2D([], [], linestyle="", marker=REAL_MARKER, color="black", label="real"),
        Line2D([], [], linestyle="", marker=GENERATED_MARKER, color="black", label="generated"),
    ]


def plot_scatter_panels(panels: Sequence[ScatterPanel], title: str) -> Image.Image:
    """Fig. 4 layout (2 × 2 for four panels): colour = class, generated points as crosses."""
    cols = min(2, len(panels))
    rows = -(-len(panels) // cols)
    fig = new_figure(5.2 * cols, 4.8 * rows + 0.9)
    fig.suptitle(title)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, panel in zip(axes, panels, strict=False):
        for label in range(len(EMOTIONS)):
            for generated, marker, size in ((False, REAL_MARKER, 5), (True, GENERATED_MARKER, 12)):
                chosen = (panel.labels == label) & (panel.generated == generated)
                ax.scatter(
                    panel.points[chosen, 0],
                    panel.points[chosen, 1],
                    s=size,
                    marker=marker,
                    linewidths=0.6,
                    color=emotion_colour(label),
                    alpha=0.6,
                )
        ax.set_title(panel.title, fontsize=TITLE_SIZE)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[len(panels) :]:
        ax.set_axis_off()
    handles = _legend_handles()
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=LEGEND_SIZE)
    return figure_to_image(fig)

"""Figures of the evaluation and t-SNE reports, returned as in-memory PIL images.

Why PIL images rather than matplotlib Figures: the catalog saves them as versioned PNGs
(kedro-datasets ``pillow.ImageDataset``) *and can load them back*, so the report node can embed
the exact figures of a run even when it runs in a later ``kedro run``. Figures are built with
``matplotlib.figure.Figure`` (no pyplot global state), rendered to PNG bytes, and closed.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from emotion_gan.imageset import EMOTIONS

_CLASS_COLOURS = (
    "tab:red",  # angry
    "tab:olive",  # disgust
    "tab:purple",  # fear
    "tab:orange",  # happy
    "tab:blue",  # sad
    "tab:cyan",  # surprise
    "tab:gray",  # neutral
)


def figure_to_image(fig: Figure, dpi: int = 110) -> Image.Image:
    """Render a Figure to an RGB PIL image (PNG round trip, so it is exactly what is saved)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    buffer.seek(0)
    with Image.open(buffer) as image:
        return image.convert("RGB")


def plot_confusion_matrices(matrices: Mapping[str, np.ndarray], title: str) -> Image.Image:
    """Row-normalised confusion matrices (true class → predicted), one panel per variant.

    Cells show the share of each true class predicted as each class, so the minority rows are
    as readable as the majority ones.
    """
    n = len(matrices)
    cols = min(3, n)
    rows = -(-n // cols)
    fig = Figure(figsize=(4.2 * cols, 3.9 * rows + 0.5), layout="constrained")
    fig.suptitle(title)
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, (name, counts) in zip(axes.ravel(), matrices.items(), strict=False):
        cm = np.asarray(counts, dtype=np.float64)
        share = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
        ax.imshow(share, vmin=0, vmax=1, cmap="Blues")
        for (i, j), value in np.ndenumerate(share):
            colour = "white" if value > 0.6 else "black"
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color=colour)
        ax.set_title(name, fontsize=10)
        ax.set_xticks(range(len(EMOTIONS)), [e[:3] for e in EMOTIONS], fontsize=8)
        ax.set_yticks(range(len(EMOTIONS)), [e[:3] for e in EMOTIONS], fontsize=8)
        ax.set_xlabel("predicted", fontsize=8)
        ax.set_ylabel("true", fontsize=8)
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


def plot_scatter_panels(panels: Sequence[ScatterPanel], title: str) -> Image.Image:
    """Fig. 4 layout (2 × 2 for four panels): colour = class, generated points as crosses."""
    cols = min(2, len(panels))
    rows = -(-len(panels) // cols)
    fig = Figure(figsize=(5.2 * cols, 4.8 * rows + 0.9), layout="constrained")
    fig.suptitle(title)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, panel in zip(axes, panels, strict=False):
        for label in range(len(EMOTIONS)):
            for generated, marker, size in ((False, "o", 5), (True, "x", 12)):
                chosen = (panel.labels == label) & (panel.generated == generated)
                ax.scatter(
                    panel.points[chosen, 0],
                    panel.points[chosen, 1],
                    s=size,
                    marker=marker,
                    linewidths=0.6,
                    color=_CLASS_COLOURS[label],
                    alpha=0.6,
                )
        ax.set_title(panel.title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[len(panels) :]:
        ax.set_axis_off()
    handles = [
        Line2D([], [], linestyle="", marker="o", color=colour, label=name)
        for name, colour in zip(EMOTIONS, _CLASS_COLOURS, strict=True)
    ] + [
        Line2D([], [], linestyle="", marker="o", color="black", label="real"),
        Line2D([], [], linestyle="", marker="x", color="black", label="generated"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8)
    return figure_to_image(fig)

"""The one figure style: Figures without pyplot, rendered to PIL images at one resolution."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from emotion_gan.figures.emotions import ScatterPanel, plot_confusion_matrices, plot_scatter_panels
from emotion_gan.figures.style import (
    DPI,
    EMOTION_COLOURS,
    emotion_colour,
    figure_to_image,
    new_axes,
    point_class_colour,
)
from emotion_gan.vocabulary import EMOTIONS


def test_figures_are_not_registered_with_pyplot_and_render_at_the_style_dpi() -> None:
    before = plt.get_fignums()
    fig, ax = new_axes(2.0, 1.0)
    ax.plot([0, 1], [0, 1])
    image = figure_to_image(fig)
    assert plt.get_fignums() == before  # nothing to close, nothing leaks
    assert isinstance(image, Image.Image) and image.mode == "RGB"
    assert image.size == (2 * DPI, DPI)


def test_every_emotion_has_its_own_colour_and_toy_classes_follow_the_cycle() -> None:
    assert list(EMOTION_COLOURS) == list(EMOTIONS)
    assert len(set(EMOTION_COLOURS.values())) == len(EMOTIONS)
    assert emotion_colour(1) == EMOTION_COLOURS["disgust"]
    assert [point_class_colour(k) for k in (1, 2, 3)] == ["C0", "C1", "C2"]


def test_emotion_figures_are_images_and_leave_pyplot_alone() -> None:
    before = plt.get_fignums()
    confusion = plot_confusion_matrices({"a": np.eye(7), "b": np.ones((7, 7))}, "title")
    rng = np.random.default_rng(0)
    panel = ScatterPanel("p", rng.random((14, 2)), np.arange(14) % 7, np.arange(14) < 3)
    scatter = plot_scatter_panels([panel, panel, panel], "title")
    assert isinstance(confusion, Image.Image) and isinstance(scatter, Image.Image)
    assert plt.get_fignums() == before

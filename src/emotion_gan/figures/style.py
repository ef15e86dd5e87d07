"""The one figure style of the project: colours, markers, font sizes, resolution, construction.

Every figure is a ``matplotlib.figure.Figure`` built by :func:`new_figure` (never pyplot, so
no figure outlives its last reference), with the sizes below. Catalog entries save either the
Figure itself (kedro-datasets ``MatplotlibDataset``) or the PIL image of
:func:`figure_to_image` (``pillow.ImageDataset``, which can load it back for the report).
"""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from PIL import Image

from emotion_gan.vocabulary import EMOTIONS

#: Resolution of every rendered figure (dots per inch).
DPI = 130
#: Font sizes in points.
TITLE_SIZE = 10
SMALL_TITLE_SIZE = 8  # titles that carry numbers over several lines
LABEL_SIZE = 8  # axis labels
TICK_SIZE = 8
LEGEND_SIZE = 7
ANNOTATION_SIZE = 7  # numbers written inside a plot (e.g. confusion-matrix cells)

#: One colour per emotion, in label order (0 angry … 6 neutral).
EMOTION_COLOURS: dict[str, str] = dict(
    zip(
        EMOTIONS,
        ("tab:red", "tab:olive", "tab:purple", "tab:orange", "tab:blue", "tab:cyan", "tab:gray"),
        strict=True,
    )
)
#: Real points are dots, generated points crosses, in every figure.
REAL_MARKER = "o"
GENERATED_MARKER = "x"
#: Generated points of the toy experiment (one class only, so one colour of their own).
GENERATED_COLOUR = "tab:red"
#: The measured line a figure is about (a learned boundary, the Bayes ceiling).
HIGHLIGHT_COLOUR = "crimson"
#: Reference lines and boundaries (the ideal boundary, the paper's numbers).
REFERENCE_COLOUR = "grey"


def emotion_colour(label: int) -> str:
    """Colour of an emotion label (0 angry … 6 neutral)."""
    return EMOTION_COLOURS[EMOTIONS[int(label)]]


def point_class_colour(label: int) -> str:
    """Colour of a numbered class of the toy experiment (class 1 → ``C0``, 2 → ``C1``, …)."""
    return f"C{(int(label) - 1) % 10}"


def new_figure(width: float, height: float) -> Figure:
    """A constrained-layout Figure of ``width × height`` inches at :data:`DPI` (no pyplot)."""
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def new_axes(width: float, height: float) -> tuple[Figure, Axes]:
    """A :func:`new_figure` with one Axes, in place of ``pyplot.subplots()``."""
    figure = new_figure(width, height)
    return figure, figure.add_subplot()


def figure_to_image(fig: Figure, dpi: int = DPI) -> Image.Image:
    """Render a Figure to an RGB PIL image (PNG round trip, so it is exactly what is saved)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    buffer.seek(0)
    with Image.open(buffer) as image:
        return image.convert("RGB")

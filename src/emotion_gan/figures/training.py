"""Loss curves of an adversarial run, one panel per side (generator, discriminator).

Shared by both generator families (the CycleGANs and the conditional generator), whose loss
histories differ only in their column names.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from emotion_gan.figures import style
from emotion_gan.figures.style import new_figure


def loss_curves(
    history: pd.DataFrame,
    panels: Mapping[str, Mapping[str, str]],
    title: str,
    smoothing: int = 10,
) -> Figure:
    """``panels``: panel title → {history column → legend label}; one line per column.

    Small-batch losses jump from step to step, so a centred rolling mean over ``smoothing``
    logged steps is drawn over the raw values (faint).
    """
    smoothing = max(1, int(smoothing))
    figure = new_figure(5 * len(panels), 3.6)
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    for ax, (panel_title, losses) in zip(axes, panels.items(), strict=True):
        for index, (column, label) in enumerate(losses.items()):
            colour = f"C{index}"
            ax.plot(history["step"], history[column], color=colour, alpha=0.2, linewidth=0.6)
            smooth = history[column].rolling(smoothing, center=True, min_periods=1).mean()
            ax.plot(history["step"], smooth, color=colour, label=label)
        ax.set_xlabel("training step")
        ax.set_ylabel("loss")
        ax.set_title(panel_title)
        ax.legend(fontsize=style.LEGEND_SIZE)
    figure.suptitle(title)
    return figure

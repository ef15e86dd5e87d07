"""Figures of generated faces: Fig. 3 as source → translation pairs, the judge's verdict.

Built as matplotlib Figures in the project's style; the nodes render them to PIL images so the
catalog can save them as versioned PNGs and the report can load them back and embed them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from emotion_gan.figures.style import EMOTION_COLOURS, SMALL_TITLE_SIZE, new_figure
from emotion_gan.imageset import ImageSet
from emotion_gan.vocabulary import EMOTIONS


def fig3_pairs(
    train_sample: ImageSet,
    generated: Sequence[ImageSet],
    real_columns: int = 2,
    pairs: int = 3,
) -> Figure:
    """Paper Fig. 3, made checkable: per class, real faces, then source → translation pairs.

    One row per emotion in label order: ``real_columns`` real faces of the class, then
    ``pairs`` pairs of a neutral source face and what G made of it, side by side, so a
    reader sees whether the expression changed (a G that copies its input shows twin faces).
    The reference class (no CycleGAN) shows real faces only.
    """
    if real_columns < 0 or pairs < 0:
        raise ValueError(
            f"generation.fig3 needs real_columns, pairs >= 0; got {real_columns}, {pairs}"
        )
    by_label = {int(s.labels[0]): s for s in generated if len(s)}
    columns = real_columns + 2 * pairs
    figure = new_figure(columns * 0.95, len(EMOTIONS) * 1.0 + 0.6)
    axes = figure.subplots(len(EMOTIONS), columns, squeeze=False)
    for label, name in enumerate(EMOTIONS):
        real = train_sample.images[train_sample.labels == label][:real_columns]
        row: list[np.ndarray | None] = [*real, *([None] * (real_columns - len(real)))]
        if label in by_label:
            images = by_label[label]
            sources = np.asarray(images.metadata["source_indices"], dtype=np.int64)
            for i in range(min(pairs, len(images))):
                row += [train_sample.images[sources[i]], images.images[i]]
        for col, axis in enumerate(axes[label]):
            axis.set_xticks([])
            axis.set_yticks([])
            face = row[col] if col < len(row) else None
            if face is None:
                axis.set_frame_on(False)
            else:
                axis.imshow(face, cmap="gray", vmin=0, vmax=255)
        axes[label, 0].set_ylabel(name, rotation=0, ha="right", va="center")
    titles = ["real"] * real_columns + ["source", "→ G"] * pairs
    for col, title in enumerate(titles):
        axes[0, col].set_title(title, fontsize=SMALL_TITLE_SIZE)
    figure.suptitle(
        "Fig. 3: real faces, then neutral source faces beside what each class's G made of them"
    )
    return figure


def judged_quality_bars(classes: Mapping[str, dict[str, Any]]) -> Figure:
    """Per generated class, the judge's two verdicts (one figure, issue 10's contract).

    Left: Fréchet distance to real test faces of the class for the neutral source faces (the
    "G = identity" line), the generated faces, and real training faces (the floor) — a working
    G sits well below its source line. Right: relative fidelity (1 = the judge recognises the
    generated faces as often as real ones), with the 0.8 target drawn.
    """
    classes = {name: entry["judged"] for name, entry in classes.items() if "judged" in entry}
    figure = new_figure(9.0, 0.45 * max(len(classes), 1) + 1.6)
    movement, fidelity = figure.subplots(1, 2, sharey=True)
    rows = np.arange(len(classes))
    bars = {"source_line": "neutral source (G = identity)", "generated": "generated",
            "floor": "real training (floor)"}  # fmt: skip
    height = 0.27
    for offset, (key, label) in zip((-height, 0.0, height), bars.items(), strict=True):
        values = [c["frechet_distance"].get(key, np.nan) for c in classes.values()]
        movement.barh(rows + offset, values, height, label=label)
    movement.set(
        yticks=rows, yticklabels=list(classes), xlabel="Fréchet distance to real test faces"
    )
    movement.invert_yaxis()
    movement.legend(fontsize=SMALL_TITLE_SIZE, loc="lower right")
    relative = [c["relative_fidelity"] or 0.0 for c in classes.values()]
    fidelity.barh(rows, relative, 0.5, color=EMOTION_COLOURS["disgust"])
    fidelity.axvline(0.8, color="grey", ls="--", lw=0.8)
    fidelity.set(xlabel="relative fidelity (judge)", xlim=(0, max(1.05, *relative)))
    figure.suptitle("Generated faces as the independent judge sees them")
    return figure


def family_comparison_bars(families: Mapping[str, dict[str, Any]]) -> Figure:
    """Per target class and generator family: relative fidelity, and FD generated ÷ source line.

    ``families``: ``metrics["generator_families"]`` (display name, training seconds, the
    judge's verdict per class). The legend gives each family's training time, so the bars are
    read at the budget each family had. Targets drawn: relative fidelity 0.8, FD ratio 0.5.
    """
    classes = sorted({c for f in families.values() for c in f["classes"]}, key=EMOTIONS.index)
    figure = new_figure(9.0, 0.5 * max(len(classes), 1) + 1.8)
    fidelity, movement = figure.subplots(1, 2, sharey=True)
    rows = np.arange(len(classes))
    height = 0.8 / max(len(families), 1)
    for index, family in enumerate(families.values()):
        offset = (index - (len(families) - 1) / 2) * height
        entries = [family["classes"].get(c, {}) for c in classes]
        seconds = family.get("training_seconds")
        label = family["display_name"] + (f", {seconds / 60:.1f} min" if seconds else "")
        relative = [e.get("relative_fidelity") or np.nan for e in entries]
        ratio = [
            (e.get("frechet_distance") or {}).get("generated_over_source", np.nan) for e in entries
        ]
        fidelity.barh(rows + offset, relative, height, label=label, color=f"C{index}")
        movement.barh(rows + offset, ratio, height, color=f"C{index}")
    fidelity.axvline(0.8, color="grey", ls="--", lw=0.8)
    movement.axvline(0.5, color="grey", ls="--", lw=0.8)
    fidelity.set(yticks=rows, yticklabels=classes, xlabel="relative fidelity (judge; 1 = as real)")
    fidelity.invert_yaxis()
    movement.set(xlabel="FD generated ÷ FD of its neutral sources (1 = no better than a copy)")
    fidelity.legend(fontsize=SMALL_TITLE_SIZE, loc="lower right")
    figure.suptitle("Generator families at their training budgets, judged independently")
    return figure

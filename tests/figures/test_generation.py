"""Figures of generated faces: Fig. 3 pairs a source with its translation; the judge's bars."""

import numpy as np
from matplotlib.figure import Figure

from emotion_gan.figures.generation import fig3_pairs, judged_quality_bars
from emotion_gan.vocabulary import label_of
from tests.pipelines.generate_synthetic.test_nodes import _generated_from, measure_quality


def test_fig3_shows_each_source_face_beside_its_translation(make_imageset) -> None:
    sample = make_imageset((3,) * 7)
    neutral_rows = np.flatnonzero(sample.labels == label_of("neutral"))
    translated = 255 - sample.images[neutral_rows[[2, 0]]]
    fake = _generated_from(sample, neutral_rows[[2, 0]], translated)
    figure = fig3_pairs(sample, [fake], real_columns=2, pairs=3)
    assert isinstance(figure, Figure) and len(figure.axes) == 7 * 8
    disgust = figure.axes[8:16]
    assert [len(ax.images) for ax in disgust] == [1, 1, 1, 1, 1, 1, 0, 0]  # 2 real + 2 pairs
    shown = [np.asarray(ax.images[0].get_array()) for ax in disgust[2:6]]
    np.testing.assert_array_equal(shown[0], sample.images[neutral_rows[2]])  # source …
    np.testing.assert_array_equal(shown[1], translated[0])  # … beside its translation
    np.testing.assert_array_equal(shown[2], sample.images[neutral_rows[0]])
    assert [len(ax.images) for ax in figure.axes[48:56]] == [1, 1, 0, 0, 0, 0, 0, 0]  # neutral
    assert [ax.get_title() for ax in figure.axes[:4]] == ["real", "real", "source", "→ G"]


def test_quality_figure_has_a_row_per_generated_class(make_imageset) -> None:
    sample = make_imageset((4, 5, 4, 4, 4, 4, 6), seed=4)
    neutral_rows = np.flatnonzero(sample.labels == label_of("neutral"))
    identity = _generated_from(sample, neutral_rows, sample.images[neutral_rows].copy())
    figure = judged_quality_bars(measure_quality(sample, identity)["classes"])
    movement, fidelity = figure.axes
    assert [t.get_text() for t in movement.get_yticklabels()] == ["disgust"]
    assert len(movement.patches) == 3 and len(fidelity.patches) == 1  # 3 distances, 1 fidelity

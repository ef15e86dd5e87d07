"""tsne_report: one embedding, four panels; generated points only where a panel asks."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from emotion_gan.imageset import ImageSet
from emotion_gan.pipelines.train_baseline.nodes import train_classifiers
from emotion_gan.pipelines.tsne_report.nodes import (
    embed_2d,
    fig4_panels,
    points_to_embed,
    tsne_of_cnn_features,
    tsne_of_pixels,
)

TSNE = {
    "panels": [
        {"title": "baseline", "generated_classes": []},
        {"title": "+ disgust", "generated_classes": ["disgust"]},
        {"title": "+ sad", "generated_classes": ["sad"]},
        {"title": "+ disgust + sad", "generated_classes": ["disgust", "sad"]},
    ],
    "max_points": 1000,
    "pca_components": 10,
    "perplexity": 5,
    "max_iter": 250,
    "seed": 0,
}


@pytest.fixture
def sets(make_imageset) -> tuple[ImageSet, ImageSet]:
    sample = make_imageset((5,) * 7, seed=1)
    generated = make_imageset((4, 6, 4, 0, 3, 0, 0), seed=2, origin="generated")
    return sample, ImageSet.concat([sample, generated])


def test_panels_share_one_embedding_and_show_only_their_generated_classes(sets):
    sample, augmented = sets
    union = points_to_embed(sample, augmented, TSNE)
    # generated angry/fear are in no panel, so they are not embedded
    assert len(union) == 35 + 6 + 3
    points = np.arange(2 * len(union), dtype=float).reshape(-1, 2)
    panels = fig4_panels(union, points, TSNE)
    assert [p.title for p in panels] == [
        "(a) baseline",
        "(b) + disgust",
        "(c) + sad",
        "(d) + disgust + sad",
    ]
    assert [int(p.generated.sum()) for p in panels] == [0, 6, 3, 9]
    assert all(int((~p.generated).sum()) == 35 for p in panels)
    # the same image has the same coordinates in every panel
    np.testing.assert_array_equal(panels[0].points, panels[3].points[~panels[3].generated])


def test_union_is_subsampled_above_max_points(sets):
    sample, augmented = sets
    union = points_to_embed(sample, augmented, {**TSNE, "max_points": 20})
    assert len(union) == 20
    np.testing.assert_array_equal(
        union.images, points_to_embed(sample, augmented, {**TSNE, "max_points": 20}).images
    )


def test_embedding_is_two_dimensional_and_seeded(sets):
    features = np.random.default_rng(0).random((30, 40))
    first = embed_2d(features, TSNE)
    assert first.shape == (30, 2)
    np.testing.assert_allclose(first, embed_2d(features, TSNE))


def test_both_figures_render(sets):
    sample, augmented = sets
    assert isinstance(tsne_of_pixels(sample, augmented, TSNE), Image.Image)
    classifier = {"training": {"steps": 1, "device": "cpu"}, "seeds": [4],
                  "architecture": {"conv_channels": [4, 8], "fc_width": 8}}  # fmt: skip
    models, _ = train_classifiers(sample, classifier, {}, {"k_neighbors": 5})
    figure = tsne_of_cnn_features(sample, augmented, models, TSNE)
    assert min(figure.size) > 100

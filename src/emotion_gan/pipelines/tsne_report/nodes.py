"""tsne_report: the paper's Fig. 4 — t-SNE of the training samples with and without GAN images.

Paper §4.3: t-SNE of the 48×48 training images for (a) the baseline sample, (b) + generated
disgust, (c) + generated sad, (d) + both. Here all four panels are views of ONE embedding of
the union (real sample + the panels' generated classes), so a point sits at the same place in
every panel and the panels differ only in which generated points are shown; the paper embedded
each panel separately, which makes panels incomparable and costs four t-SNE runs. A second
figure embeds the baseline CNN's penultimate features instead of raw pixels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

from emotion_gan.figures.emotions import ScatterPanel, plot_scatter_panels
from emotion_gan.imageset import ImageSet
from emotion_gan.models.classifier import EmotionCNN, penultimate_features
from emotion_gan.vocabulary import label_of


def points_to_embed(train_sample: ImageSet, augmented: ImageSet, tsne: dict[str, Any]) -> ImageSet:
    """Real sample + generated images of every class any panel shows, subsampled if large."""
    shown = sorted(
        {name for panel in tsne["panels"] for name in panel["generated_classes"]}, key=label_of
    )
    union = ImageSet.concat([train_sample, augmented.generated_of(shown)])
    if len(union) <= tsne["max_points"]:
        return union
    rng = np.random.default_rng(tsne["seed"])
    return union.subset(np.sort(rng.choice(len(union), tsne["max_points"], replace=False)))


def embed_2d(features: np.ndarray, tsne: dict[str, Any]) -> np.ndarray:
    """PCA to ``pca_components`` (denoises, speeds up t-SNE), then 2-D t-SNE."""
    components = min(tsne["pca_components"], *features.shape)
    reduced = PCA(components, random_state=tsne["seed"]).fit_transform(features)
    return TSNE(
        n_components=2,
        perplexity=min(tsne["perplexity"], (len(features) - 1) / 3),
        init="pca",
        max_iter=tsne["max_iter"],
        random_state=tsne["seed"],
    ).fit_transform(reduced)


def fig4_panels(union: ImageSet, points: np.ndarray, tsne: dict[str, Any]) -> list[ScatterPanel]:
    """Fig. 4 (a)–(d): all real points plus the generated points of each panel's classes."""
    generated = union.origin == "generated"
    panels = []
    for letter, panel in zip("abcdefgh", tsne["panels"], strict=False):
        labels = [label_of(name) for name in panel["generated_classes"]]
        shown = ~generated | np.isin(union.labels, labels)
        panels.append(
            ScatterPanel(
                title=f"({letter}) {panel['title']}",
                points=points[shown],
                labels=union.labels[shown],
                generated=generated[shown],
            )
        )
    return panels


def tsne_of_pixels(
    train_sample: ImageSet, augmented_train_sample: ImageSet, tsne: dict[str, Any]
) -> Image.Image:
    """Fig. 4 on raw 48×48 pixels (as in the paper); generated points drawn as crosses."""
    union = points_to_embed(train_sample, augmented_train_sample, tsne)
    pixels = union.images.reshape(len(union), -1).astype(np.float32) / 255.0
    points = embed_2d(pixels, tsne)
    title = f"Fig. 4 — t-SNE of training samples, raw pixels ({len(union)} images, one embedding)"
    return plot_scatter_panels(fig4_panels(union, points, tsne), title)


def tsne_of_cnn_features(
    train_sample: ImageSet,
    augmented_train_sample: ImageSet,
    classifier: dict[str, EmotionCNN],
    tsne: dict[str, Any],
) -> Image.Image:
    """Fig. 4 on the baseline CNN's penultimate features (first seed's model).

    Pixel distance mostly reflects pose and lighting; the CNN's features show whether the
    generated faces land among real faces of their class in the space the classifier uses.
    """
    union = points_to_embed(train_sample, augmented_train_sample, tsne)
    seed = sorted(classifier, key=int)[0]
    features = penultimate_features(classifier[seed], union.images, device="cpu", precision="fp32")
    points = embed_2d(features, tsne)
    title = (
        f"Fig. 4 — t-SNE of the baseline CNN's penultimate features (seed {seed}, "
        f"{len(union)} images)"
    )
    return plot_scatter_panels(fig4_panels(union, points, tsne), title)

"""tsne_report: ``train_sample`` + generated images → Fig. 4 (raw pixels, CNN features)."""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.tsne_report.nodes import tsne_of_cnn_features, tsne_of_pixels


def create_pipeline(**kwargs) -> Pipeline:
    """Two versioned figures; evaluate's report embeds both."""
    return Pipeline(
        [
            Node(
                tsne_of_pixels,
                inputs=["train_sample", "augmented_train_sample", "params:tsne"],
                outputs="fig4_tsne_pixels",
                name="tsne_of_pixels",
            ),
            Node(
                tsne_of_cnn_features,
                inputs=[
                    "train_sample",
                    "augmented_train_sample",
                    "baseline.classifier",
                    "params:tsne",
                ],
                outputs="fig4_tsne_cnn_features",
                name="tsne_of_cnn_features",
            ),
        ]
    )

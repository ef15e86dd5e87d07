"""generate_synthetic: ``{t}.cyclegan`` → ``{t}.generated``; then the augmented training set,
Fig. 3 and the quality report (the independent judge's verdict, memorisation, diversity).

The per-class step is one template under a namespace per target class (the namespaces of
train_cyclegan_per_class); the summary nodes join all classes.
"""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.generate_synthetic.nodes import (
    build_augmented_train_sample,
    generate_class_faces,
    measure_generation_quality,
    plot_fig3_samples,
    plot_generation_quality,
)
from emotion_gan.vocabulary import TARGET_CLASSES


def generation_template() -> Pipeline:
    """Translate the reference training faces with one class's G (not yet namespaced)."""
    return Pipeline(
        [
            Node(
                generate_class_faces,
                inputs=[
                    "cyclegan",
                    "train_sample",
                    "params:target_class",
                    "params:cyclegan.reference_class",
                    "params:generation",
                ],
                outputs="generated",
                name="generate_class_faces",
            )
        ]
    )


def create_pipeline(**kwargs) -> Pipeline:
    """One namespace per target class, then the class-independent summary nodes."""
    per_class = sum(
        (
            Pipeline(
                generation_template(),
                namespace=target,
                inputs={"train_sample"},
                parameters={"params:generation", "params:cyclegan.reference_class"},
            )
            for target in TARGET_CLASSES
        ),
        Pipeline([]),
    )
    generated = [f"{target}.generated" for target in TARGET_CLASSES]
    summary = Pipeline(
        [
            Node(
                build_augmented_train_sample,
                inputs=["train_sample", *generated],
                outputs="augmented_train_sample",
                name="build_augmented_train_sample",
            ),
            Node(
                plot_fig3_samples,
                inputs=["params:generation.fig3", "train_sample", *generated],
                outputs="fig3_samples",
                name="plot_fig3_samples",
            ),
            Node(
                measure_generation_quality,
                inputs=[
                    "params:generation.quality",
                    "params:judge.inference",
                    "judge",
                    "train_sample",
                    "test_full",
                    *generated,
                ],
                outputs="generation_quality",
                name="measure_generation_quality",
            ),
            Node(
                plot_generation_quality,
                inputs="generation_quality",
                outputs="generation_quality_figure",
                name="plot_generation_quality",
            ),
        ]
    )
    return per_class + summary

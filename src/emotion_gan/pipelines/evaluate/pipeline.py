"""evaluate: ``{variant}.classifier`` + test sets → metrics.json, Tables 1–2, figures, report.

Per variant (namespace): predict every seed's model on the three test sets. Then one node
compares all variants (metrics, paired tests, verdict), and the tables, confusion matrices and
the report are rendered from those metrics. The report also embeds the t-SNE figures of
tsne_report (loaded from the catalog, so evaluate can be re-run on its own).
"""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.evaluate.nodes import (
    compare_generator_families,
    compute_metrics,
    make_tables,
    measure_label_fidelity,
    plot_confusion_matrices,
    plot_generator_families,
    predict_test_sets,
    write_report,
)
from emotion_gan.vocabulary import ALL_VARIANTS, GENERATOR_FAMILIES, TEST_SETS


def prediction_template() -> Pipeline:
    """Predictions of one variant's per-seed models on the three test sets."""
    return Pipeline(
        [
            Node(
                predict_test_sets,
                inputs={
                    "classifier": "classifier",
                    "training_summary": "training_summary",
                    **{name: name for name in TEST_SETS},
                    "evaluation": "params:evaluation",
                },
                outputs="test_predictions",
                name="predict_test_sets",
            )
        ]
    )


def _predictions() -> Pipeline:
    """:func:`prediction_template` in each variant's namespace (:data:`ALL_VARIANTS`)."""
    return sum(
        (
            Pipeline(
                prediction_template(),
                namespace=variant,
                inputs=set(TEST_SETS),
                parameters={"params:evaluation": "params:evaluation"},
            )
            for variant in ALL_VARIANTS
        ),
        Pipeline([]),
    )


def _families() -> Pipeline:
    """Each generator family's cost and judged quality side by side, and their figure."""
    family_outputs = {
        f"{family.name}_{key}": family.dataset(name)
        for family in GENERATOR_FAMILIES
        for key, name in (("quality", "generation_quality"), ("cost", "generator_training_cost"))
    }
    return Pipeline(
        [
            Node(
                compare_generator_families,
                inputs={"judge_metrics": "judge_metrics", **family_outputs},
                outputs="generator_families",
                name="compare_generator_families",
            ),
            Node(
                plot_generator_families,
                inputs="generator_families",
                outputs="generator_families_figure",
                name="plot_generator_families",
            ),
        ]
    )


def _comparison() -> Pipeline:
    """Label fidelity, then metrics of all variants → tables, confusion matrices, report."""
    return Pipeline(
        [
            Node(
                measure_label_fidelity,
                inputs=["baseline.classifier", "augmented_train_sample", "params:evaluation"],
                outputs="label_fidelity",
                name="measure_label_fidelity",
            ),
            Node(
                compute_metrics,
                inputs={
                    **{name: name for name in TEST_SETS},
                    "label_fidelity": "label_fidelity",
                    "generation_quality": "generation_quality",
                    "judge_metrics": "judge_metrics",
                    "generator_families": "generator_families",
                    "evaluation": "params:evaluation",
                    **{variant: f"{variant}.test_predictions" for variant in ALL_VARIANTS},
                },
                outputs="metrics",
                name="compute_metrics",
            ),
            Node(
                make_tables,
                inputs=["metrics", "params:evaluation"],
                outputs=["table1", "table1_md", "table2", "table2_md"],
                name="make_tables",
            ),
            Node(
                plot_confusion_matrices,
                inputs=["metrics", "params:evaluation"],
                outputs="confusion_matrices",
                name="plot_confusion_matrices",
            ),
            Node(
                write_report,
                inputs={
                    "metrics": "metrics",
                    "table1_md": "table1_md",
                    "table2_md": "table2_md",
                    "confusion_matrices": "confusion_matrices",
                    "fig4_tsne_pixels": "fig4_tsne_pixels",
                    "fig4_tsne_cnn_features": "fig4_tsne_cnn_features",
                    "fig3_samples": "fig3_samples",
                    "generation_quality_figure": "generation_quality_figure",
                    "generator_families_figure": "generator_families_figure",
                    "evaluation": "params:evaluation",
                },
                outputs="report",
                name="write_report",
            ),
        ]
    )


def create_pipeline(**kwargs) -> Pipeline:
    """Namespaced predictions per variant, then metrics → tables, figures, report."""
    return _predictions() + _families() + _comparison()

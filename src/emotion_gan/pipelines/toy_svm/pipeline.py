"""``toy_svm``: the paper's §4.1 toy experiment, over ``num_seeds`` draws instead of one.

    params ──► toy_draws ──► baseline / class_weight / SMOTE / oracle accuracies
                   │
                   ├─► toy_reference:        CycleGAN class 1→3, generated points, accuracies
                   ├─► toy_other_reference:  the same template with class 2 as reference
                   ▼
             toy_svm_metrics (JSON) + Fig. 2(a)(b)(c), generated-vs-density, accuracy over seeds

The paper does not say which majority class it used as the CycleGAN's reference, so the
augmentation is one template pipeline instantiated in two namespaces (reported and other
reference class), each picking its reference class from the parameters.
"""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline, pipeline

from emotion_gan.pipelines.toy_svm.nodes import (
    compute_bayes_accuracy,
    draw_toy_datasets,
    generate_minority_points,
    judge_generated_points,
    plot_accuracy_over_seeds,
    plot_fig2a,
    plot_fig2b,
    plot_fig2c,
    plot_generated_vs_density,
    score_baseline,
    score_class_weighted,
    score_cyclegan_augmented,
    score_oracle,
    score_smote,
    summarise_toy_metrics,
    train_point_cyclegans,
)

#: Parameters the augmentation template shares with the rest of the pipeline (not namespaced).
_SHARED_PARAMETERS = (
    "params:toy_svm.minority_class",
    "params:toy_svm.cyclegan",
    "params:toy_svm.generated_count",
    "params:toy_svm.svm",
    "params:toy_svm.classes",
)

#: Template outputs the report reads, exposed as ``<namespace>_<name>``.
_EXPOSED_OUTPUTS = ("cyclegan_accuracies", "generated_minority_points", "generated_quality")

#: namespace → the parameter naming its reference class.
REFERENCE_NAMESPACES = {
    "toy_reference": "params:toy_svm.reference_class",
    "toy_other_reference": "params:toy_svm.other_reference_class",
}


def cyclegan_augmentation_template() -> Pipeline:
    """Train a CycleGAN per seed (reference → minority), generate 900 points, rescore the SVM,
    and judge the generated points with the Bayes rule (the faces' GAN-quality numbers)."""
    return Pipeline(
        [
            Node(
                train_point_cyclegans,
                inputs=[
                    "toy_draws",
                    "params:reference_class",
                    "params:toy_svm.minority_class",
                    "params:toy_svm.cyclegan",
                ],
                outputs=["point_cyclegans", "cyclegan_histories"],
                name="train_point_cyclegans",
            ),
            Node(
                generate_minority_points,
                inputs=[
                    "toy_draws",
                    "point_cyclegans",
                    "params:reference_class",
                    "params:toy_svm.generated_count",
                ],
                outputs="generated_minority_points",
                name="generate_minority_points",
            ),
            Node(
                score_cyclegan_augmented,
                inputs=[
                    "toy_draws",
                    "generated_minority_points",
                    "params:toy_svm.minority_class",
                    "params:toy_svm.svm",
                ],
                outputs="cyclegan_accuracies",
                name="score_cyclegan_augmented",
            ),
            Node(
                judge_generated_points,
                inputs=[
                    "toy_draws",
                    "generated_minority_points",
                    "params:reference_class",
                    "params:toy_svm.minority_class",
                    "params:toy_svm.classes",
                ],
                outputs="generated_quality",
                name="judge_generated_points",
            ),
        ]
    )


def _params(*names: str) -> dict[str, str]:
    """``{name: "params:toy_svm.<name>"}``: node keyword inputs named like their parameters."""
    return {name: f"params:toy_svm.{name}" for name in names}


def data_and_baselines() -> Pipeline:
    """The draws, the four SVM variants without a CycleGAN, and the Bayes ceiling."""
    svm, minority = "params:toy_svm.svm", "params:toy_svm.minority_class"
    draw_params = _params(
        "classes",
        "train_counts",
        "test_counts",
        "minority_class",
        "oracle_extra_count",
        "first_seed",
        "num_seeds",
    )
    return Pipeline(
        [
            Node(draw_toy_datasets, draw_params, "toy_draws", name="draw_toy_datasets"),
            Node(
                score_baseline, ["toy_draws", svm], "toy_baseline_accuracies", name="score_baseline"
            ),
            Node(
                score_class_weighted,
                ["toy_draws", svm],
                "toy_class_weight_accuracies",
                name="score_class_weighted",
            ),
            Node(
                score_smote,
                ["toy_draws", minority, "params:toy_svm.smote", svm],
                "toy_smote_accuracies",
                name="score_smote",
            ),
            Node(
                score_oracle,
                ["toy_draws", minority, svm],
                "toy_oracle_accuracies",
                name="score_oracle",
            ),
            Node(
                compute_bayes_accuracy,
                "params:toy_svm.classes",
                "toy_bayes_accuracy",
                name="compute_bayes_accuracy",
            ),
        ]
    )


def augmentation() -> Pipeline:
    """The CycleGAN template once per reference namespace (:data:`REFERENCE_NAMESPACES`)."""
    template = cyclegan_augmentation_template()
    return sum(
        (
            pipeline(
                template,
                namespace=namespace,
                inputs={"toy_draws"},
                # Exposed without the dot: Kedro reserves dotted names for inside a namespace.
                outputs={name: f"{namespace}_{name}" for name in _EXPOSED_OUTPUTS},
                parameters={
                    "params:reference_class": reference_param,
                    **{name: name for name in _SHARED_PARAMETERS},
                },
            )
            for namespace, reference_param in REFERENCE_NAMESPACES.items()
        ),
        Pipeline([]),
    )


def metrics() -> Pipeline:
    """Every accuracy list → ``toy_svm_metrics`` (summaries, paired tests, target)."""
    inputs = {
        "draws": "toy_draws",
        "baseline": "toy_baseline_accuracies",
        "cyclegan": "toy_reference_cyclegan_accuracies",
        "class_weight": "toy_class_weight_accuracies",
        "smote": "toy_smote_accuracies",
        "oracle": "toy_oracle_accuracies",
        "cyclegan_other_reference": "toy_other_reference_cyclegan_accuracies",
        "bayes_accuracy": "toy_bayes_accuracy",
        "settings": "params:toy_svm",
        "generated_quality": "toy_reference_generated_quality",
        "generated_quality_other_reference": "toy_other_reference_generated_quality",
    }
    return Pipeline(
        [Node(summarise_toy_metrics, inputs, "toy_svm_metrics", name="summarise_toy_metrics")]
    )


def figures() -> Pipeline:
    """Fig. 2(a)(b)(c), generated points vs the true density, accuracy over seeds."""
    seed_index = "params:toy_svm.figures.seed_index"
    reported = {
        "draws": "toy_draws",
        "generated": "toy_reference_generated_minority_points",
        **_params("classes", "minority_class", "reference_class"),
        "seed_index": seed_index,
    }
    fig2b_inputs = ["toy_draws", "params:toy_svm.classes", "params:toy_svm.svm", seed_index]
    return Pipeline(
        [
            Node(
                plot_fig2a,
                "params:toy_svm.figures.one_dimensional",
                "toy_svm_fig2a",
                name="plot_fig2a",
            ),
            Node(plot_fig2b, fig2b_inputs, "toy_svm_fig2b", name="plot_fig2b"),
            Node(plot_fig2c, {**reported, **_params("svm")}, "toy_svm_fig2c", name="plot_fig2c"),
            Node(
                plot_generated_vs_density,
                reported,
                "toy_svm_generated_vs_density",
                name="plot_generated_vs_density",
            ),
            Node(
                plot_accuracy_over_seeds,
                "toy_svm_metrics",
                "toy_svm_accuracy_over_seeds",
                name="plot_accuracy_over_seeds",
            ),
        ]
    )


def create_pipeline(**kwargs: object) -> Pipeline:
    """The whole toy experiment: data, four SVM variants, two CycleGAN namespaces, report."""
    return data_and_baselines() + augmentation() + metrics() + figures()

"""generate_synthetic: a G per target class → ``{t}.generated``; then the augmented training
set, Fig. 3 and the quality report (the independent judge's verdict, memorisation, diversity).

The per-class step is one template under a namespace per target class (the namespaces of
train_cyclegan_per_class); the summary nodes join all classes. The whole of it runs once per
generator family (:data:`~emotion_gan.vocabulary.GENERATOR_FAMILIES`): on the CycleGANs'
``{t}.cyclegan`` under the paper's names (``augmented_train_sample``…), and on the conditional
generator's ``{t}.conditional_generator`` under the namespace ``conditional``
(``conditional.augmented_train_sample``…) — the same nodes, so the families are compared on
exactly the same measurements.
"""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.generate_synthetic.nodes import (
    build_augmented_train_sample,
    generate_class_faces,
    measure_generation_quality,
    plot_fig3_samples,
    plot_generation_quality,
    training_cost,
)
from emotion_gan.vocabulary import GENERATOR_FAMILIES, TARGET_CLASSES, GeneratorFamily


def generation_template() -> Pipeline:
    """Translate the reference training faces with one class's G (not yet namespaced)."""
    return Pipeline(
        [
            Node(
                generate_class_faces,
                inputs=[
                    "generator",
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


#: Parameters every family's copy reads un-namespaced.
_SHARED_PARAMETERS = {
    "params:generation",
    "params:cyclegan.reference_class",
    "params:generation.fig3",
    "params:generation.quality",
    "params:judge.inference",
    *(f"params:{target}.target_class" for target in TARGET_CLASSES),
}


def create_pipeline(**kwargs) -> Pipeline:
    """:func:`family_pipeline` for every generator family."""
    return sum((family_pipeline(family) for family in GENERATOR_FAMILIES), Pipeline([]))


def family_pipeline(family: GeneratorFamily) -> Pipeline:
    """The generation of one family: its Gs in, its generated sets and their quality out."""
    generators = {
        f"{target}.generator": family.generator.format(target_class=target)
        for target in TARGET_CLASSES
    }
    cost = Node(
        training_cost,
        inputs=list(family.histories()),
        outputs="generator_training_cost",
        name="training_cost",
    )
    pipeline = Pipeline(
        _generation() + Pipeline([cost]),
        inputs={"train_sample": "train_sample", **generators},
        parameters=_SHARED_PARAMETERS,
    )
    if family.namespace is None:
        return pipeline
    shared = {"train_sample", "test_full", "judge", *generators.values(), *family.histories()}
    return Pipeline(
        pipeline,
        namespace=family.namespace,
        inputs=shared,
        parameters=_SHARED_PARAMETERS,
    )


def _generation() -> Pipeline:
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

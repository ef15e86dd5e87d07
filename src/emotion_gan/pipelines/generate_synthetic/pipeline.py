"""generate_synthetic: a G per target class → ``{t}.generated``; then the augmented training
set, Fig. 3 and the quality report (the independent judge's verdict, memorisation, diversity).

The per-class step is one template under a namespace per target class (the namespaces of
train_cyclegan_per_class); the summary nodes join all classes. The whole of it runs once per
generator family (:data:`~emotion_gan.vocabulary.GENERATOR_FAMILIES`): on the CycleGANs'
``{t}.cyclegan`` under the paper's names (``augmented_train_sample``…), and on the conditional
generator ``conditional_gan``, bound to each class in turn, under the namespace ``conditional``
(``conditional.augmented_train_sample``…) — the same nodes, so the families are compared on
exactly the same measurements.
"""

import functools

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.generate_synthetic.nodes import (
    bind_target_class,
    build_augmented_train_sample,
    generate_class_faces,
    measure_generation_quality,
    plot_fig3_samples,
    plot_generation_quality,
    training_cost,
)
from emotion_gan.vocabulary import GENERATOR_FAMILIES, TARGET_CLASSES, GeneratorFamily


def generation_template(family: GeneratorFamily) -> Pipeline:
    """Translate the reference training faces with one class's G (not yet namespaced).

    A family with one model for all classes first binds it to the class (``generator`` is then
    made here from ``family.model``); otherwise ``generator`` is the class's own saved bundle.
    """
    generate = functools.update_wrapper(
        functools.partial(generate_class_faces, family=family.display_name), generate_class_faces
    )
    nodes = [
        Node(
            generate,
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
    if family.one_model_for_all:
        bind = Node(
            bind_target_class,
            inputs=[family.model, "params:target_class"],
            outputs="generator",
            name="bind_target_class",
        )
        nodes.insert(0, bind)
    return Pipeline(nodes)


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
    """The generation of one family: its models in, its generated sets and their quality out.

    Every node is tagged with the family's name: ``kedro run --pipelines generate_synthetic
    --tags conditional`` runs one family from its saved models.
    """
    models = {family.model.format(target_class=target) for target in TARGET_CLASSES}
    cost = Node(
        training_cost,
        inputs=list(family.histories()),
        outputs="generator_training_cost",
        name="training_cost",
    )
    pipeline = Pipeline(_generation(family) + Pipeline([cost]), tags=family.name)
    if family.namespace is None:
        return pipeline
    shared = {"train_sample", "test_full", "judge", *models, *family.histories()}
    return Pipeline(
        pipeline,
        namespace=family.namespace,
        inputs=shared,
        parameters=_SHARED_PARAMETERS,
    )


def _generation(family: GeneratorFamily) -> Pipeline:
    """One namespace per target class, then the class-independent summary nodes."""

    def model_inputs(target: str) -> dict[str, str]:
        if family.one_model_for_all:  # bound inside the namespace: the model stays shared
            return {family.model: family.model}
        return {"generator": family.model.format(target_class=target)}

    per_class = sum(
        (
            Pipeline(
                generation_template(family),
                namespace=target,
                inputs={"train_sample": "train_sample", **model_inputs(target)},
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

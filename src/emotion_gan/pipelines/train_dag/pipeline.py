"""train_dag: pre-train on generated images, fine-tune on ``train_sample`` → ``dag.classifier``.

The same template shape as train_baseline, under the namespace ``dag`` (and ``conditional_dag``
for the conditional generator's faces; catalog entries in conf/base/catalog_train_dag.yml;
settings in ``params:dag`` and the shared ``params:classifier``).
"""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.train_dag.nodes import select_pretraining_set, train_dag_classifiers
from emotion_gan.vocabulary import augmented_sample_of, variants_of


def create_pipeline(**kwargs) -> Pipeline:
    """Pre-training-set selection and pre-train + fine-tune per seed, one namespace per DAG.

    ``dag`` pre-trains on the CycleGANs' faces, ``conditional_dag`` on the conditional
    generator's; both read ``params:dag``.
    """
    template = Pipeline(
        [
            Node(
                select_pretraining_set,
                inputs=["train_sample", "augmented_train_sample", "params:dag"],
                outputs="pretraining_set",
                name="select_pretraining_set",
            ),
            Node(
                train_dag_classifiers,
                inputs=["pretraining_set", "train_sample", "params:classifier", "params:dag"],
                outputs=["classifier", "training_summary"],
                name="train_dag_classifiers",
            ),
        ]
    )
    return sum(
        (
            Pipeline(
                template,
                namespace=variant,
                inputs={
                    "train_sample": "train_sample",
                    "augmented_train_sample": augmented_sample_of(variant),
                },
                parameters={"params:dag": "params:dag", "params:classifier": "params:classifier"},
            )
            for variant in variants_of("train_dag")
        ),
        Pipeline([]),
    )

"""transfer: split the small set, fine-tune each source per fold, evaluate → Table 2's rows.

One template (fine-tune every seed on every fold, predict the test parts) reused under the
namespace ``transfer.<source>`` for each of :data:`emotion_gan.vocabulary.TRANSFER_SOURCES`:
``scratch`` starts from untrained CNNs, ``baseline`` / ``dag`` from the FER-trained
``baseline.classifier`` / ``dag.classifier`` of the env's catalog (versioned: pick one with
``--load-versions baseline.classifier:<timestamp>``). The catalog's ``transfer.{source}.…``
factories version every fine-tuned model (conf/base/catalog_transfer.yml).
"""

from kedro.pipeline import Node, Pipeline

from emotion_gan.pipelines.transfer.nodes import (
    evaluate_transfer,
    fine_tune_on_folds,
    fresh_classifiers,
    split_small_set,
)
from emotion_gan.pipelines.transfer.report import render_transfer_report, table2
from emotion_gan.vocabulary import TRANSFER_SCRATCH, TRANSFER_SOURCES


def source_template() -> Pipeline:
    """Fine-tuning of one (not yet namespaced) source on every fold."""
    return Pipeline(
        [
            Node(
                fine_tune_on_folds,
                inputs=[
                    "initial_classifier",
                    "small_faces",
                    "params:classifier",
                    "params:training",
                    "params:evaluation",
                ],
                outputs=["classifier", "predictions"],
                name="fine_tune_on_folds",
            )
        ]
    )


def _source(source: str) -> Pipeline:
    """The template under ``transfer.<source>``; scratch first builds its untrained CNNs."""
    template = source_template()
    inputs = {"small_faces": "small_faces"}
    if source == TRANSFER_SCRATCH:
        template = (
            Pipeline(
                [
                    Node(
                        fresh_classifiers,
                        inputs="params:classifier",
                        outputs="initial_classifier",
                        name="fresh_classifiers",
                    )
                ]
            )
            + template
        )
    else:
        inputs["initial_classifier"] = f"{source}.classifier"
    block = "scratch" if source == TRANSFER_SCRATCH else "fine_tune"
    return Pipeline(
        template,
        namespace=f"transfer.{source}",
        inputs=inputs,
        parameters={
            "params:classifier": "params:classifier",
            "params:training": f"params:transfer.{block}",
            "params:evaluation": "params:evaluation",
        },
    )


def create_pipeline(**kwargs) -> Pipeline:
    """Split → one namespaced fine-tuning per source → metrics, Table 2 and the report."""
    return Pipeline(
        [
            Node(
                split_small_set,
                inputs=["small_faces_raw", "params:transfer"],
                outputs="small_faces",
                name="split_small_set",
            ),
            Node(
                evaluate_transfer,
                inputs={
                    "small_faces": "small_faces",
                    "transfer": "params:transfer",
                    **{s: f"transfer.{s}.predictions" for s in TRANSFER_SOURCES},
                },
                outputs="transfer_metrics",
                name="evaluate_transfer",
            ),
            Node(
                table2,
                inputs=["transfer_metrics", "params:transfer.paper.table2"],
                outputs=["transfer_table2", "transfer_table2_md"],
                name="transfer_table2",
            ),
            Node(
                render_transfer_report,
                inputs=["transfer_metrics", "transfer_table2_md"],
                outputs="transfer_report",
                name="render_transfer_report",
            ),
        ]
    ) + sum((_source(source) for source in TRANSFER_SOURCES), Pipeline([]))

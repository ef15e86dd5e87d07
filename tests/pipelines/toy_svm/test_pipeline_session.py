"""`kedro run --pipeline=toy_svm` through a real KedroSession, with 2 seeds and short training."""

from __future__ import annotations

import json

REDUCED = {"toy_svm": {"num_seeds": 2, "cyclegan": {"steps": 30, "log_every": 10}}}
FIGURES = ("fig2a", "fig2b", "fig2c", "generated_vs_density", "accuracy_over_seeds")


def test_toy_svm_runs_end_to_end_and_writes_versioned_outputs(kedro_project, run_kedro) -> None:
    project = kedro_project()
    run_kedro(project, ["toy_svm"], runtime_params=REDUCED)

    (metrics_file,) = (project / "data/08_reporting/toy_svm_metrics.json").glob(
        "*/toy_svm_metrics.json"
    )
    metrics = json.loads(metrics_file.read_text())
    assert 0.96 < metrics["bayes_accuracy"] < 0.98
    for method in ("baseline", "cyclegan", "class_weight", "smote", "oracle"):
        assert set(metrics[method]) >= {"mean", "sd", "per_seed"}
        assert len(metrics[method]["per_seed"]) == 2
        assert all(0.0 <= a <= 1.0 for a in metrics[method]["per_seed"])
    assert metrics["paper_baseline"] == 0.933 and metrics["paper_cyclegan"] == 0.98
    assert metrics["cyclegan"]["reference_class"] == 1
    assert metrics["cyclegan_other_reference"]["reference_class"] == 2
    assert {"cyclegan_vs_baseline", "cyclegan_other_reference_vs_baseline"} <= set(
        metrics["paired_comparisons"]
    )
    assert set(metrics["target"]) >= {"met", "cyclegan_mean_met", "better_than_baseline_paired"}
    assert metrics["setup"]["seeds"] == [0, 1]
    quality = metrics["gan_quality"]  # the faces' GAN-quality numbers, judged by the Bayes rule
    for reference in ("reference", "other_reference"):
        assert 0.0 <= quality[reference]["label_fidelity"]["mean"] <= 1.0
        assert len(quality[reference]["fd_generated_over_source"]["per_seed"]) == 2

    for figure in FIGURES:
        (png,) = (project / f"data/08_reporting/toy_svm/{figure}.png").glob(f"*/{figure}.png")
        assert png.read_bytes()[:4] == b"\x89PNG"
    for namespace in ("toy_reference", "toy_other_reference"):
        (history_file,) = (
            project / f"data/07_model_output/toy_svm/{namespace}_cyclegan_histories.json"
        ).glob("*/*.json")
        histories = json.loads(history_file.read_text())
        assert len(histories) == 2 and [row["step"] for row in histories[0]] == [10, 20, 30]

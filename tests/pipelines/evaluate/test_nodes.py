"""evaluate on a constructed case whose every number can be worked out by hand."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from PIL import Image

from emotion_gan.imageset import ImageSet
from emotion_gan.pipelines.evaluate import report
from emotion_gan.pipelines.evaluate.nodes import (
    compare_generator_families,
    compute_metrics,
    make_tables,
    measure_label_fidelity,
    plot_confusion_matrices,
    predict_test_sets,
    write_report,
)
from emotion_gan.pipelines.train_baseline.nodes import train_classifiers
from emotion_gan.vocabulary import EMOTIONS

CONF = Path(__file__).resolve().parents[3] / "conf" / "base"
REPEAT = 20  # each class appears REPEAT times in test_full
DISGUST, NEUTRAL = 1, 6


@pytest.fixture(scope="module")
def evaluation() -> dict:
    params = yaml.safe_load((CONF / "parameters_evaluate.yml").read_text())["evaluation"]
    return {**params, "bootstrap": {"resamples": 400, "seed": 0}}


def _test_set(labels: np.ndarray) -> ImageSet:
    return ImageSet.from_arrays(np.zeros((len(labels), 48, 48), np.uint8), labels, split="test")


def _result(predictions_full: dict[str, np.ndarray], labels: np.ndarray) -> dict:
    """A predict_test_sets-shaped result; the 7 %/14 % sets are the first 28/56 images."""
    return {
        "training": {
            "steps": 10,
            "training_set": {
                "real": dict.fromkeys(EMOTIONS, 5),
                "generated": {**dict.fromkeys(EMOTIONS, 0), "disgust": 3},
            },
        },
        "predictions": {
            "test_7pct": {s: p[:28] for s, p in predictions_full.items()},
            "test_14pct": {s: p[:56] for s, p in predictions_full.items()},
            "test_full": dict(predictions_full),
        },
    }


JUDGE_METRICS = {
    "architecture": {"widths": [4]},
    "test_full": {"n": 140, "top1_accuracy": 0.5, "macro_f1": 0.4, "per_class": {}},
}
GENERATION_QUALITY = {
    "classes": {
        "disgust": {
            "memorisation": {"near_copy_fraction": 0.02},
            "diversity": {"generated_mean_pairwise": 0.15, "real_mean_pairwise": 0.3},
            "judged": {
                "generated_count": 10, "label_fidelity": 0.3, "judge_recall_on_real_test": 0.6,
                "source_called_target": 0.05,
                "relative_fidelity": 0.5, "still_reference_share": 0.4,
                "frechet_distance": {"n": 10, "source_line": 40.0, "generated": 10.0,
                                     "floor": 5.0, "generated_over_source": 0.25},
                "knn_precision_recall": {"precision": 0.7, "recall": 0.6},
            },
        }
    }
}  # fmt: skip
COSTS = {
    "cyclegan": {"models": [{"steps": 8, "seconds": 30.0}] * 6, "training_seconds": 180.0},
    "conditional": {"models": [{"steps": 40, "seconds": 170.0}], "training_seconds": 170.0},
}
FAMILIES = compare_generator_families(
    JUDGE_METRICS,
    cyclegan_quality=GENERATION_QUALITY,
    cyclegan_cost=COSTS["cyclegan"],
    conditional_quality=GENERATION_QUALITY,
    conditional_cost=COSTS["conditional"],
)
JUDGED = {
    "generation_quality": GENERATION_QUALITY,
    "judge_metrics": JUDGE_METRICS,
    "generator_families": FAMILIES,
}


def test_each_generator_family_carries_its_cost_and_the_judges_verdict() -> None:
    assert list(FAMILIES) == ["cyclegan", "conditional"]
    cyclegan, conditional = FAMILIES["cyclegan"], FAMILIES["conditional"]
    assert (cyclegan["models"], cyclegan["training_seconds"]) == (6, 180.0)
    assert (conditional["models"], conditional["training_seconds"]) == (1, 170.0)
    assert conditional["display_name"] == "one conditional generator"
    disgust = conditional["classes"]["disgust"]
    assert disgust["relative_fidelity"] == 0.5 and disgust["near_copy_fraction"] == 0.02
    assert disgust["diversity_ratio"] == pytest.approx(0.5)  # generated ÷ real pairwise
    with pytest.raises(KeyError, match="conditional_cost"):
        compare_generator_families(
            JUDGE_METRICS, cyclegan_quality=GENERATION_QUALITY, cyclegan_cost=COSTS["cyclegan"],
            conditional_quality=GENERATION_QUALITY,
        )  # fmt: skip


def hand_worked_inputs() -> tuple[np.ndarray, dict, dict]:
    """``(labels, results, test sets)`` of a case whose metrics can be worked out by hand
    (also tests/test_tracking.py's): baseline calls every disgust image neutral; +disgust is
    perfect (seed 1 misses one disgust image); +sad is the baseline; DAG is perfect; SMOTE (a
    cheap alternative) is the baseline with the first half of the disgust images right."""
    labels = np.tile(np.arange(7), REPEAT)
    baseline = np.where(labels == DISGUST, NEUTRAL, labels)
    variant_seed1 = labels.copy()
    variant_seed1[np.flatnonzero(labels == DISGUST)[0]] = NEUTRAL
    half = baseline.copy()
    half[np.flatnonzero(labels == DISGUST)[: REPEAT // 2]] = DISGUST
    results = {
        "baseline": _result({"0": baseline, "1": baseline}, labels),
        "plus_disgust": _result({"0": labels, "1": variant_seed1}, labels),
        "plus_sad": _result({"0": baseline, "1": baseline}, labels),
        "dag": _result({"0": labels, "1": labels}, labels),
        "smote": _result({"0": half, "1": half}, labels),
    }
    sets = {
        "test_7pct": _test_set(labels[:28]),
        "test_14pct": _test_set(labels[:56]),
        "test_full": _test_set(labels),
    }
    return labels, results, sets


@pytest.fixture(scope="module")
def case(evaluation) -> dict:
    """:func:`hand_worked_inputs` through ``compute_metrics``, with a label-fidelity record."""
    labels, results, sets = hand_worked_inputs()
    fidelity = {
        "disgust": {
            "n": 10,
            "accuracy_per_seed": {"0": 0.2, "1": 0.4},
            "accuracy": {"mean": 0.3, "sd": 0.1, "n": 2},
            "predicted_as": {**dict.fromkeys(EMOTIONS, 0.0), "disgust": 0.3, "neutral": 0.6},
        }
    }
    metrics = compute_metrics(
        **sets, label_fidelity=fidelity, **JUDGED, evaluation=evaluation, **results
    )
    return {"labels": labels, "metrics": metrics}


def test_per_seed_metrics_match_hand_computation(case):
    full = case["metrics"]["variants"]["baseline"]["test_sets"]["test_full"]
    seed0 = full["per_seed"]["0"]
    n = 7 * REPEAT
    assert seed0["top1_accuracy"] == pytest.approx(6 / 7)
    # disgust: P = R = F1 = 0; neutral: P = 1/2, R = 1, F1 = 2/3; the five others F1 = 1
    assert seed0["macro_f1"] == pytest.approx((5 + 0 + 2 / 3) / 7)
    assert seed0["balanced_accuracy"] == pytest.approx(6 / 7)
    assert seed0["per_class"]["disgust"]["recall"] == 0.0
    assert seed0["per_class"]["neutral"]["precision"] == pytest.approx(0.5)
    # one-vs-rest: disgust (TN = n − 20) / n; mean = 1 − 2e/7 with e = 1/7
    assert seed0["per_class"]["disgust"]["one_vs_rest_accuracy"] == pytest.approx((n - REPEAT) / n)
    assert seed0["one_vs_rest_accuracy_mean"] == pytest.approx(1 - 2 * (1 / 7) / 7)
    assert np.array(seed0["confusion_matrix"])[DISGUST, NEUTRAL] == REPEAT
    assert case["metrics"]["settings"]["test_set_sizes"] == {
        "test_7pct": 28,
        "test_14pct": 56,
        "test_full": n,
    }


def test_seed_summary_and_paired_tests(case):
    full = case["metrics"]["variants"]["plus_disgust"]["test_sets"]["test_full"]
    recall = full["summary"]["per_class"]["disgust"]["recall"]
    expected = [1.0, 1 - 1 / REPEAT]
    assert recall["mean"] == pytest.approx(np.mean(expected))
    assert recall["sd"] == pytest.approx(np.std(expected, ddof=1))
    vs = full["vs_baseline"]
    assert vs["minority_recall"]["delta"] == pytest.approx(np.mean(expected))
    assert vs["top1_accuracy"]["delta"] == pytest.approx(np.mean([1.0, 1 - 1 / 140]) - 6 / 7)
    assert vs["macro_f1"]["p_value"] == pytest.approx(2 / 401)  # never ≤ 0 in 400 resamples
    # McNemar seed 0: b = 0, c = 20 → p = 2 · 0.5^20
    assert vs["mcnemar_per_seed"]["0"]["c"] == REPEAT
    assert vs["mcnemar_per_seed"]["0"]["p_exact"] == pytest.approx(2 * 0.5**REPEAT)
    same = case["metrics"]["variants"]["plus_sad"]["test_sets"]["test_full"]["vs_baseline"]
    assert same["macro_f1"]["delta"] == 0.0 and same["macro_f1"]["p_value"] == 1.0


def test_verdict_names_the_winner_and_compares_with_seed_spread(case):
    verdict = case["metrics"]["verdict"]
    f1 = verdict["macro_f1"]
    assert f1["best_variant"] == "dag"  # perfect on both seeds
    assert f1["delta"] == pytest.approx(1 - (5 + 2 / 3) / 7)
    assert f1["exceeds_seed_spread"] is True and f1["seed_spread"] == pytest.approx(0.0)
    assert [v for v, _ in f1["ranking"]] == ["dag", "plus_disgust", "smote", "baseline", "plus_sad"]
    recall = verdict["minority_recall"]
    assert recall["best_variant"] == "dag"
    duel = recall["gan_vs_cheap_alternatives"]
    assert (duel["gan_variant"], duel["alternative_variant"]) == ("dag", "smote")
    assert duel["delta"] == pytest.approx(0.5) and duel["exceeds_seed_spread"] is True
    assert duel["p_value"] == pytest.approx(2 / 401)


def test_tables_follow_the_paper_layout_with_its_numbers(case, evaluation):
    table1, table1_md, table2, table2_md = make_tables(case["metrics"], evaluation)
    # 2 test sets × (7 classes + All + top-1) × 3 variants
    assert len(table1) == 2 * 9 * 3
    row = table1[
        (table1.test_set == "test_7pct")
        & (table1.row == "disgust")
        & (table1.variant == "baseline")
    ].iloc[0]
    assert row.paper == 73.91
    assert row.ours_mean == pytest.approx(100 * (28 - 4) / 28)  # 4 disgust in the first 28
    assert "| disgust | 85.7 ± 0.0 (73.91) |" in table1_md
    assert "(68.6 implied)" in table1_md  # paper's All 91.04 → top-1 1 − 7·0.0896/2
    dag_all = table2[(table2.variant == "dag") & (table2.metric == "one_vs_rest_accuracy_mean")]
    assert dag_all.paper.tolist() == [94.71, 94.35]
    assert "(94.71)" in table2_md and "DAG: pre-train + fine-tune" in table2_md


def test_report_states_the_measured_verdict_and_links_figures(case, evaluation):
    confusion = plot_confusion_matrices(case["metrics"], evaluation)
    assert isinstance(confusion, Image.Image) and confusion.width > 400
    _, table1_md, _, table2_md = make_tables(case["metrics"], evaluation)
    blank = Image.new("RGB", (10, 10))
    document = write_report(
        metrics=case["metrics"],
        table1_md=table1_md,
        table2_md=table2_md,
        confusion_matrices=confusion,
        fig4_tsne_pixels=blank,
        fig4_tsne_cnn_features=blank,
        fig3_samples=blank,
        generation_quality_figure=blank,
        generator_families_figure=blank,
        evaluation=evaluation,
    )
    text = document.markdown
    assert "top-1 50.0 %, macro-F1 40.0 % on the 140 full-test faces" in text
    assert (
        "budgets: six CycleGANs: 6 model(s), 3.0 min of training; one conditional generator: "
        "1 model(s), 2.8 min of training." in text
    )
    for family in ("six CycleGANs", "one conditional generator"):
        assert f"| disgust | {family} | 0.50 | 30.0 % | 0.25 | 0.70 | 0.60 | 0.50 | 2.0 % |" in text
    assert (
        "| disgust | 10 | 30.0 % | 5.0 % | 60.0 % | 0.50 | 40.0 % | 40.0 | 10.0 | 5.0 | 0.25 |"
        in text
    )
    assert "(catalog: `fig3_samples`)" in text
    assert "**DAG: pre-train + fine-tune** wins with 100.0 ± 0.0 %" in text
    assert "Δ = +19.0 points, which exceeds the seed spread (0.0 points" in text
    assert "91.04 % corresponds to a top-1 accuracy of 68.6 %" in text
    assert (
        "GAN augmentation vs cheap alternatives on Minority (disgust) recall: best GAN variant "
        "DAG: pre-train + fine-tune 100.0 ± 0.0 % vs best alternative SMOTE 50.0 ± 0.0 % — GAN "
        "augmentation leads (Δ = +50.0 points, which exceeds the seed spread"
    ) in text
    figures = [f"figures/{name}.png" for name in ("fig3_samples", "generation_quality_figure",
               "generator_families_figure", "confusion_matrices", "fig4_tsne_pixels",
               "fig4_tsne_cnn_features")]  # fmt: skip
    assert list(document.figures) == figures  # the Markdown links files, embeds nothing
    assert "data:" not in text and all(f"]({path})" in text for path in figures)
    assert all(png.startswith(b"\x89PNG") for png in document.figures.values())
    assert Image.open(io.BytesIO(document.figures[figures[3]])).size == confusion.size
    # the HTML page: the same text, tables as tables, every figure embedded
    assert document.html.count('src="data:image/png;base64,') == 6
    assert "<td>disgust</td>\n<td>85.7 ± 0.0 (73.91)</td>" in document.html
    tables = sum(line.startswith("|---|") for line in text.splitlines())
    assert document.html.count("<table>") == tables == 11
    assert "catalog: `fig4_tsne_pixels`" in text
    assert table1_md.strip() in text and table2_md.strip() in text
    assert "| baseline | 5 | 5 + 3 | 5 |" in text  # training-set composition, real + generated
    # label fidelity beside the baseline's recall on real disgust images (0: all → neutral)
    assert "| disgust | 10 | 30.0 ± 10.0 | 0.0 ± 0.0 | neutral (60%) |" in text


def test_mismatched_seeds_are_refused(case, evaluation):
    labels = case["labels"]
    sets = {
        "test_7pct": _test_set(labels[:28]),
        "test_14pct": _test_set(labels[:56]),
        "test_full": _test_set(labels),
    }
    results = {
        "baseline": _result({"0": labels, "1": labels}, labels),
        "plus_sad": _result({"0": labels, "2": labels}, labels),
    }
    with pytest.raises(ValueError, match=r"'plus_sad' was trained with seeds \['0', '2'\]"):
        compute_metrics(**sets, label_fidelity={}, **JUDGED, evaluation=evaluation, **results)


def test_predict_test_sets_classifies_each_distinct_image_once_and_maps_back(make_imageset):
    train = make_imageset((6,) * 7, seed=0)
    classifier = {"training": {"steps": 2, "log_every": 1, "device": "cpu"}, "seeds": [0],
                  "architecture": {"conv_channels": [4, 8], "fc_width": 8}}  # fmt: skip
    models, summary = train_classifiers(train, classifier, {}, {"k_neighbors": 5})
    full = make_imageset((3,) * 7, seed=5, split="test")
    small = full.subset(np.arange(0, 21, 3))
    inference = {"inference": {"batch_size": 4, "device": "cpu", "precision": "fp32"}}
    out = predict_test_sets(
        classifier=models, training_summary=summary, test_7pct=small, test_14pct=full,
        test_full=full, evaluation=inference,
    )  # fmt: skip
    with torch.no_grad():
        direct = models["0"](torch.as_tensor(full.images).unsqueeze(1).float()).argmax(1).numpy()
    np.testing.assert_array_equal(out["predictions"]["test_full"]["0"], direct)
    np.testing.assert_array_equal(out["predictions"]["test_7pct"]["0"], direct[::3])
    assert out["training"] is summary


def test_label_fidelity_is_the_baseline_accuracy_on_each_generated_class(make_imageset):
    train = make_imageset((6,) * 7, seed=0)
    classifier = {"training": {"steps": 3, "device": "cpu"}, "seeds": [0, 1],
                  "architecture": {"conv_channels": [4, 8], "fc_width": 8}}  # fmt: skip
    models, _ = train_classifiers(train, classifier, {}, {"k_neighbors": 5})
    generated = make_imageset((0, 5, 0, 0, 4, 0, 0), seed=3, origin="generated")
    inference = {"inference": {"batch_size": 4, "device": "cpu", "precision": "fp32"}}
    fidelity = measure_label_fidelity(models, ImageSet.concat([train, generated]), inference)
    assert list(fidelity) == ["disgust", "sad"]
    with torch.no_grad():
        pixels = torch.as_tensor(generated.images).unsqueeze(1).float()
        predictions = {seed: m(pixels).argmax(1).numpy() for seed, m in models.items()}
    for emotion, label in (("disgust", 1), ("sad", 4)):
        rows = generated.labels == label
        expected = [float(np.mean(predictions[s][rows] == label)) for s in ("0", "1")]
        assert fidelity[emotion]["n"] == rows.sum()
        assert fidelity[emotion]["accuracy"]["mean"] == pytest.approx(np.mean(expected))
        assert sum(fidelity[emotion]["predicted_as"].values()) == pytest.approx(1.0)


def test_report_takes_the_papers_all_from_parameters(case, evaluation):
    paper = copy.deepcopy(evaluation["paper"])
    paper["table1"]["test_7pct"]["baseline"]["All"] = 90.0
    blank = Image.new("RGB", (10, 10))
    text = write_report(
        metrics=case["metrics"], table1_md="", table2_md="", confusion_matrices=blank,
        fig4_tsne_pixels=blank, fig4_tsne_cnn_features=blank, fig3_samples=blank,
        generation_quality_figure=blank, generator_families_figure=blank,
        evaluation={**evaluation, "paper": paper},
    ).markdown  # fmt: skip
    assert "the paper's baseline 90.00 % corresponds to a top-1 accuracy of 65.0 %" in text


def test_report_falls_back_to_namespaces_and_never_prints_none(case):
    document = report.render_report(case["metrics"], "", "", {}, 0.9104, display_names={})
    text = document.markdown
    assert "None" not in text and "None" not in document.html
    assert "best GAN variant dag 100.0 ± 0.0 % vs best alternative smote 50.0 ± 0.0 %" in text


def test_unknown_verdict_test_set_is_refused(case, evaluation):
    labels = case["labels"]
    sets = {name: _test_set(labels) for name in ("test_7pct", "test_14pct", "test_full")}
    results = {"baseline": _result({"0": labels}, labels)}
    with pytest.raises(ValueError, match="verdict_test_set is 'test_50pct'; expected one of"):
        compute_metrics(
            **sets, label_fidelity={}, **JUDGED,
            evaluation={**evaluation, "verdict_test_set": "test_50pct"},
            **results,
        )  # fmt: skip

"""Tables 1–2 beside the paper's numbers, and the Markdown report — text from measured values.

Every sentence that states a result is built from ``metrics`` (the output of
``compute_metrics``); nothing here hard-codes a finding. The paper's numbers come from
parameters (``evaluation.paper``).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from PIL import Image

from emotion_gan.imageset import EMOTIONS, NUM_CLASSES
from emotion_gan.models.metrics import top1_from_one_vs_rest_mean

TEST_SET_TITLES = {"test_7pct": "7 %", "test_14pct": "14 %", "test_full": "full test split"}
ALL = "All"


def pct(stat: Mapping[str, float], digits: int = 1) -> str:
    """``mean ± sd`` of a fraction, in percent."""
    return f"{100 * stat['mean']:.{digits}f} ± {100 * stat['sd']:.{digits}f}"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table (no extra dependency such as ``tabulate``)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _summary(metrics: dict[str, Any], variant: str, test_set: str) -> dict[str, Any]:
    return metrics["variants"][variant]["test_sets"][test_set]["summary"]


def _one_vs_rest(summary: dict[str, Any], row: str) -> dict[str, float]:
    if row == ALL:
        return summary["one_vs_rest_accuracy_mean"]
    return summary["per_class"][row]["one_vs_rest_accuracy"]


def table1(
    metrics: dict[str, Any], paper: dict[str, Any], display_names: Mapping[str, str]
) -> tuple[pd.DataFrame, str]:
    """Paper Table 1 layout: classes × (baseline, +disgust, +sad) for the 7 % and 14 % sets.

    Values are the paper's metric (per-class one-vs-rest accuracy, "All" = their mean) as
    mean ± sd over seeds, with the paper's number beside; a last row gives top-1 accuracy
    (ours measured, the paper's implied by ``1 − K·(1 − All)/2``).
    """
    records = []
    sections = []
    for test_set, paper_columns in paper.items():
        variants = list(paper_columns)
        rows = []
        for row in [*EMOTIONS, ALL]:
            cells = [row]
            for variant in variants:
                ours = _one_vs_rest(_summary(metrics, variant, test_set), row)
                theirs = paper_columns[variant][row]
                records.append(
                    {
                        "test_set": test_set,
                        "row": row,
                        "variant": variant,
                        "metric": "one_vs_rest_accuracy",
                        "ours_mean": 100 * ours["mean"],
                        "ours_sd": 100 * ours["sd"],
                        "paper": theirs,
                    }
                )
                cells.append(f"{pct(ours)} ({theirs:.2f})")
            rows.append(cells)
        top1_cells = ["top-1 accuracy"]
        for variant in variants:
            ours = _summary(metrics, variant, test_set)["top1_accuracy"]
            implied = 100 * top1_from_one_vs_rest_mean(paper_columns[variant][ALL] / 100)
            records.append(
                {
                    "test_set": test_set,
                    "row": "top-1 accuracy",
                    "variant": variant,
                    "metric": "top1_accuracy (paper: implied by All)",
                    "ours_mean": 100 * ours["mean"],
                    "ours_sd": 100 * ours["sd"],
                    "paper": round(implied, 2),
                }
            )
            top1_cells.append(f"{pct(ours)} ({implied:.1f} implied)")
        rows.append(top1_cells)
        headers = ["Class", *(display_names.get(v, v) for v in variants)]
        sections.append(
            f"**Test set {TEST_SET_TITLES.get(test_set, test_set)}** — ours: mean ± sd over "
            "seeds, (paper)\n\n" + markdown_table(headers, rows)
        )
    title = (
        "Table 1 — per-class one-vs-rest accuracy (%), (TP + TN) / N, the paper's metric; "
        '"All" = mean over the 7 classes.'
    )
    return pd.DataFrame.from_records(records), title + "\n\n" + "\n\n".join(sections) + "\n"


def table2(
    metrics: dict[str, Any], paper: dict[str, Any], display_names: Mapping[str, str]
) -> tuple[pd.DataFrame, str]:
    """Paper Table 2 (FER2013 row): baseline vs DAG, "All" beside the paper, plus our
    top-1 accuracy and macro-F1 (the paper reports neither)."""
    records = []
    rows = []
    for test_set, paper_columns in paper.items():
        cells = [TEST_SET_TITLES.get(test_set, test_set)]
        for variant, theirs in paper_columns.items():
            summary = _summary(metrics, variant, test_set)
            for metric in ("one_vs_rest_accuracy_mean", "top1_accuracy", "macro_f1"):
                records.append(
                    {
                        "test_set": test_set,
                        "variant": variant,
                        "metric": metric,
                        "ours_mean": 100 * summary[metric]["mean"],
                        "ours_sd": 100 * summary[metric]["sd"],
                        "paper": theirs if metric == "one_vs_rest_accuracy_mean" else None,
                    }
                )
            cells += [
                f"{pct(summary['one_vs_rest_accuracy_mean'])} ({theirs:.2f})",
                pct(summary["top1_accuracy"]),
                pct(summary["macro_f1"]),
            ]
        rows.append(cells)
    variants = list(next(iter(paper.values())))
    headers = ["Test set"]
    for variant in variants:
        name = display_names.get(variant, variant)
        headers += [f"{name}: All (paper)", f"{name}: top-1", f"{name}: macro-F1"]
    title = (
        "Table 2 — baseline vs DAG (pre-train on generated images, fine-tune on the original "
        'sample), %: "All" = mean one-vs-rest accuracy beside the paper\'s FER2013 row.'
    )
    return pd.DataFrame.from_records(records), title + "\n\n" + markdown_table(headers, rows) + "\n"


def _embed(image: Image.Image, alt: str) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"![{alt}](data:image/png;base64,{encoded})"


def _overview(metrics: dict[str, Any], test_set: str, names: Mapping[str, str]) -> str:
    minority = metrics["settings"]["minority_class"]
    headers = [
        "Variant",
        "top-1",
        "macro-F1",
        "balanced acc.",
        f"{minority} recall",
        "All (one-vs-rest)",
        "Δ macro-F1 vs baseline [95 % CI], p",
        f"Δ {minority} recall, p",
    ]
    rows = []
    for variant, result in metrics["variants"].items():
        summary = result["test_sets"][test_set]["summary"]
        row = [
            names.get(variant, variant),
            pct(summary["top1_accuracy"]),
            pct(summary["macro_f1"]),
            pct(summary["balanced_accuracy"]),
            pct(summary["per_class"][minority]["recall"]),
            pct(summary["one_vs_rest_accuracy_mean"]),
        ]
        comparison = result["test_sets"][test_set].get("vs_baseline")
        if comparison is None:
            row += ["—", "—"]
        else:
            f1 = comparison["macro_f1"]
            rec = comparison["minority_recall"]
            row += [
                f"{100 * f1['delta']:+.1f} [{100 * f1['ci_low']:+.1f}, {100 * f1['ci_high']:+.1f}]"
                f", p = {f1['p_value']:.3g}",
                f"{100 * rec['delta']:+.1f}, p = {rec['p_value']:.3g}",
            ]
        rows.append(row)
    return markdown_table(headers, rows)


def _per_class_recall(metrics: dict[str, Any], test_set: str, names: Mapping[str, str]) -> str:
    headers = ["Variant", *EMOTIONS]
    rows = [
        [names.get(v, v)]
        + [pct(r["test_sets"][test_set]["summary"]["per_class"][c]["recall"]) for c in EMOTIONS]
        for v, r in metrics["variants"].items()
    ]
    return markdown_table(headers, rows)


def _composition(metrics: dict[str, Any], names: Mapping[str, str]) -> str:
    headers = ["Variant", *EMOTIONS, "total"]
    rows = []
    for variant, result in metrics["variants"].items():
        training = result["training"]
        counts = training["training_set"]
        cells = [names.get(variant, variant)]
        for emotion in EMOTIONS:
            real, generated = counts["real"][emotion], counts["generated"][emotion]
            cells.append(f"{real} + {generated}" if generated else str(real))
        cells.append(sum(counts["real"].values()) + sum(counts["generated"].values()))
        rows.append(cells)
        if "pretraining_set" in training:
            pre = training["pretraining_set"]
            rows.append(
                [f"{names.get(variant, variant)} (pre-training)"]
                + [f"{pre['real'][e]} + {pre['generated'][e]}" for e in EMOTIONS]
                + [sum(pre["real"].values()) + sum(pre["generated"].values())]
            )
    return markdown_table(headers, rows)


def _fidelity(metrics: dict[str, Any], test_set: str) -> str:
    fidelity = metrics["label_fidelity"]
    if not fidelity:
        return "No generated images were found, so label fidelity was not measured."
    baseline = metrics["variants"]["baseline"]["test_sets"][test_set]["summary"]["per_class"]
    headers = [
        "Generated class",
        "images",
        "baseline accuracy on them",
        f"baseline recall on real test images ({TEST_SET_TITLES.get(test_set, test_set)})",
        "most often predicted as",
    ]
    rows = []
    for emotion, entry in fidelity.items():
        shares = entry["predicted_as"]
        top = max(shares, key=shares.get)
        rows.append(
            [
                emotion,
                entry["n"],
                pct(entry["accuracy"]),
                pct(baseline[emotion]["recall"]),
                f"{top} ({shares[top]:.0%})",
            ]
        )
    return markdown_table(headers, rows)


def _spread_clause(entry: dict[str, Any]) -> str:
    relation = "exceeds" if entry["exceeds_seed_spread"] else "is within"
    return (
        f"Δ = {100 * entry['delta']:+.1f} points, which {relation} the seed spread "
        f"({100 * entry['seed_spread']:.1f} points = sum of the two seed sds); paired bootstrap "
        f"p = {entry['p_value']:.3g}"
    )


def _verdict_sentences(verdict: dict[str, Any], what: str, names: Mapping[str, str]) -> str:
    """Two bullet points: best variant vs baseline, best GAN variant vs best alternative."""
    best = verdict["best_variant"]
    test_set = TEST_SET_TITLES.get(verdict["test_set"], verdict["test_set"])
    ranking = ", ".join(f"{names.get(v, v)} {100 * s['mean']:.1f}" for v, s in verdict["ranking"])
    if best == "baseline":
        lines = [
            f"- **{what}** ({test_set}): no variant beats the baseline "
            f"({pct(verdict['baseline'])} %). Ranking: {ranking}."
        ]
    else:
        lines = [
            f"- **{what}** ({test_set}): **{names.get(best, best)}** wins with "
            f"{pct(verdict['best'])} % vs baseline {pct(verdict['baseline'])} % "
            f"({_spread_clause(verdict)}). Ranking: {ranking}."
        ]
    duel = verdict.get("gan_vs_cheap_alternatives")
    if duel:
        gan, cheap = names.get(duel["gan_variant"]), names.get(duel["alternative_variant"])
        leader = "GAN augmentation leads" if duel["delta"] > 0 else "the cheap alternative leads"
        if duel["delta"] == 0:
            leader = "a tie"
        lines.append(
            f"  - GAN augmentation vs cheap alternatives on {what}: best GAN variant "
            f"{gan} {pct(duel['gan'])} % vs best alternative {cheap} {pct(duel['alternative'])} %"
            f" — {leader} ({_spread_clause(duel)})."
        )
    return "\n".join(lines)


def render_report(
    metrics: dict[str, Any],
    table1_md: str,
    table2_md: str,
    images: Mapping[str, tuple[str, Image.Image]],
    display_names: Mapping[str, str],
) -> str:
    """The whole report as one self-contained Markdown file (figures embedded as PNG).

    ``images`` maps a catalog name to ``(caption, image)``; the catalog name is printed too,
    so the versioned PNG file of the same run can be found next to the report.
    """
    settings = metrics["settings"]
    verdict = metrics["verdict"]
    test_set = verdict["macro_f1"]["test_set"]
    k = NUM_CLASSES
    paper_all = 0.9104  # the paper's FER2013 baseline "All" (Table 1, 7 %)
    example_top1 = top1_from_one_vs_rest_mean(paper_all)
    parts = [
        "# Emotion classification with CycleGAN augmentation — reproduction report",
        "",
        f"Variants: {', '.join(display_names.get(v, v) for v in metrics['variants'])}. "
        f"Seeds per variant: {settings['seeds']}. Every variant trains for the same "
        f"{settings['steps']} optimiser steps (DAG: pre-train + fine-tune within that budget). "
        f"Test sets: "
        + ", ".join(
            f"{TEST_SET_TITLES.get(n, n)} ({size} images)"
            for n, size in settings["test_set_sizes"].items()
        )
        + ".",
        "",
        "## Verdict",
        "",
        _verdict_sentences(verdict["macro_f1"], "Macro-F1", display_names),
        _verdict_sentences(
            verdict["minority_recall"],
            f"Minority ({settings['minority_class']}) recall",
            display_names,
        ),
        "",
        "Mean ± sd over seeds; Δ is the difference of seed means; the p-value is a paired "
        f"bootstrap over test images ({settings['bootstrap_resamples']} resamples, same draws "
        "for every variant), so it reflects test-set noise, while the seed spread reflects "
        "training noise. A difference counts as exceeding the seed spread when it is larger "
        "than the sum of the two seed standard deviations.",
        "",
        '## How to read the paper\'s "accuracy"',
        "",
        "Tables 1–2 of the paper report, per class, the one-vs-rest accuracy (TP + TN) / N, and "
        '"All" is the mean over the classes. Every misclassified image is one false negative '
        f"(its true class) and one false positive (its predicted class), so the mean equals "
        f"1 − 2e/K for top-1 error e; with K = {k}, the paper's baseline {100 * paper_all:.2f} % "
        f"corresponds to a top-1 accuracy of {100 * example_top1:.1f} %. A rare class scores "
        "high on this metric through true negatives alone, so it does not measure minority "
        "performance: the tables below therefore also give top-1 accuracy, macro-F1, balanced "
        "accuracy and per-class recall. Caveat on the paper's per-class rows: its disgust "
        "entries on the 7 % set (73.91, 91.30, 95.65) are exactly 17/23, 21/23 and 22/23 — "
        "fractions over a class-sized denominator. One-vs-rest accuracy over all ~2,500 test "
        "images would be 73.9 % for a class of ~1.5 % prevalence only if about a quarter of "
        "all test images were disgust errors, so those rows may be per-class recall rather "
        "than one-vs-rest.",
        "",
        "## All variants",
        "",
    ]
    for name in settings["test_set_sizes"]:
        parts += [
            f"**{TEST_SET_TITLES.get(name, name)}**",
            "",
            _overview(metrics, name, display_names),
            "",
        ]
    parts += [
        f"Per-class recall on the {TEST_SET_TITLES.get(test_set, test_set)}:",
        "",
        _per_class_recall(metrics, test_set, display_names),
        "",
        "## Table 1",
        "",
        table1_md.strip(),
        "",
        "## Table 2",
        "",
        table2_md.strip(),
        "",
        "## Training sets (real + generated images per class)",
        "",
        _composition(metrics, display_names),
        "",
        "## Label fidelity of the generated images",
        "",
        "Accuracy of the baseline classifiers (mean ± sd over seeds) on each class's generated "
        "images, beside their recall on real test images of that class: generated images "
        "recognised far less often than real ones do not carry their class's expression.",
        "",
        _fidelity(metrics, test_set),
        "",
        "## Figures",
        "",
    ]
    for catalog_name, (caption, image) in images.items():
        parts += [f"**{caption}** (catalog: `{catalog_name}`)", "", _embed(image, caption), ""]
    return "\n".join(parts)

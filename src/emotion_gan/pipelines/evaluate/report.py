"""Tables 1–2 beside the paper's numbers, and the report (Markdown + HTML) — text from measured
values.

Every sentence that states a result is built from ``metrics`` (the output of
``compute_metrics``); nothing here hard-codes a finding. The paper's numbers come from
parameters (``evaluation.paper``), the variants' names from :mod:`emotion_gan.vocabulary`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from PIL import Image

from emotion_gan.figures.document import ReportDocument, build_document, figure_path
from emotion_gan.figures.tables import markdown_table, pct
from emotion_gan.stats.classification import top1_from_one_vs_rest_mean
from emotion_gan.vocabulary import (
    BASELINE,
    DISPLAY_NAMES,
    EMOTIONS,
    GAN_AUGMENTATION,
    NUM_CLASSES,
    TEST_SET_TITLES,
    VARIANTS,
)

#: The paper's name of the mean one-vs-rest accuracy over the classes (a row of its tables).
ALL = "All"


def _title(test_set: str) -> str:
    return TEST_SET_TITLES.get(test_set, test_set)


def _name(names: Mapping[str, str], variant: str) -> str:
    """A variant's display name; its namespace when it has none (never ``None``)."""
    return names.get(variant, variant)


def _summary(metrics: dict[str, Any], variant: str, test_set: str) -> dict[str, Any]:
    return metrics["variants"][variant]["test_sets"][test_set]["summary"]


def _one_vs_rest(summary: dict[str, Any], row: str) -> dict[str, float]:
    if row == ALL:
        return summary["one_vs_rest_accuracy_mean"]
    return summary["per_class"][row]["one_vs_rest_accuracy"]


def _ours(stat: Mapping[str, float]) -> dict[str, float]:
    """Our seed mean and sd of a fraction, in percent (two columns of the tables' CSV)."""
    return {"ours_mean": 100 * stat["mean"], "ours_sd": 100 * stat["sd"]}


def _table1_test_set(
    metrics: dict[str, Any],
    test_set: str,
    paper_columns: Mapping[str, Mapping[str, float]],
    display_names: Mapping[str, str],
) -> tuple[list[dict[str, Any]], str]:
    """Table 1's records and Markdown section for one test set (see :func:`table1`)."""
    variants = list(paper_columns)
    records, rows = [], []
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
                    **_ours(ours),
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
                **_ours(ours),
                "paper": round(implied, 2),
            }
        )
        top1_cells.append(f"{pct(ours)} ({implied:.1f} implied)")
    rows.append(top1_cells)
    headers = ["Class", *(_name(display_names, v) for v in variants)]
    section = (
        f"**Test set {_title(test_set)}** — ours: mean ± sd over "
        "seeds, (paper)\n\n" + markdown_table(headers, rows)
    )
    return records, section


def table1(
    metrics: dict[str, Any], paper: dict[str, Any], display_names: Mapping[str, str]
) -> tuple[pd.DataFrame, str]:
    """Paper Table 1 layout: classes × (baseline, +disgust, +sad) for the 7 % and 14 % sets.

    Values are the paper's metric (per-class one-vs-rest accuracy, "All" = their mean) as
    mean ± sd over seeds, with the paper's number beside; a last row gives top-1 accuracy
    (ours measured, the paper's implied by ``1 − K·(1 − All)/2``).
    """
    records: list[dict[str, Any]] = []
    sections = []
    for test_set, paper_columns in paper.items():
        set_records, section = _table1_test_set(metrics, test_set, paper_columns, display_names)
        records += set_records
        sections.append(section)
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
        cells = [_title(test_set)]
        for variant, theirs in paper_columns.items():
            summary = _summary(metrics, variant, test_set)
            for metric in ("one_vs_rest_accuracy_mean", "top1_accuracy", "macro_f1"):
                records.append(
                    {
                        "test_set": test_set,
                        "variant": variant,
                        "metric": metric,
                        **_ours(summary[metric]),
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
        name = _name(display_names, variant)
        headers += [f"{name}: All (paper)", f"{name}: top-1", f"{name}: macro-F1"]
    title = (
        "Table 2 — baseline vs DAG (pre-train on generated images, fine-tune on the original "
        'sample), %: "All" = mean one-vs-rest accuracy beside the paper\'s FER2013 row.'
    )
    return pd.DataFrame.from_records(records), title + "\n\n" + markdown_table(headers, rows) + "\n"


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
            _name(names, variant),
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
        [_name(names, v)]
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
        cells = [_name(names, variant)]
        for emotion in EMOTIONS:
            real, generated = counts["real"][emotion], counts["generated"][emotion]
            cells.append(f"{real} + {generated}" if generated else str(real))
        cells.append(sum(counts["real"].values()) + sum(counts["generated"].values()))
        rows.append(cells)
        if "pretraining_set" in training:
            pre = training["pretraining_set"]
            rows.append(
                [f"{_name(names, variant)} (pre-training)"]
                + [f"{pre['real'][e]} + {pre['generated'][e]}" for e in EMOTIONS]
                + [sum(pre["real"].values()) + sum(pre["generated"].values())]
            )
    return markdown_table(headers, rows)


def _fidelity(metrics: dict[str, Any], test_set: str) -> str:
    fidelity = metrics["label_fidelity"]
    if not fidelity:
        return "No generated images were found, so label fidelity was not measured."
    baseline = metrics["variants"][BASELINE]["test_sets"][test_set]["summary"]["per_class"]
    headers = [
        "Generated class",
        "images",
        "baseline accuracy on them",
        f"baseline recall on real test images ({_title(test_set)})",
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


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def _gan_quality(metrics: dict[str, Any]) -> list[str]:
    """The independent judge's verdict per generated class, with the judge's own accuracy."""
    quality = metrics.get("gan_quality") or {}
    if not quality.get("classes"):
        return ["No generated class was judged."]
    judge = quality["judge"]["test_full"]
    headers = ["Generated class", "images", "judge calls it T", "… calls its sources T",
               "judge recall, real T", "relative fidelity", "still neutral", "FD source line",
               "FD generated", "FD floor", "FD gen / source", "k-NN precision", "k-NN recall",
               "near copies"]  # fmt: skip
    rows = []
    for name, entry in quality["classes"].items():
        fd, knn = entry["frechet_distance"], entry.get("knn_precision_recall") or {}
        rows.append([
            name, entry["generated_count"], _share(entry["label_fidelity"]),
            _share(entry["source_called_target"]), _share(entry["judge_recall_on_real_test"]),
            _number(entry["relative_fidelity"]),
            _share(entry["still_reference_share"]), _number(fd.get("source_line"), 1),
            _number(fd.get("generated"), 1), _number(fd.get("floor"), 1),
            _number(fd.get("generated_over_source")), _number(knn.get("precision")),
            _number(knn.get("recall")), _share(entry.get("near_copy_fraction")),
        ])  # fmt: skip
    return [
        f"The judge is a classifier no other part of the pipeline trains on its data (top-1 "
        f"{100 * judge['top1_accuracy']:.1f} %, macro-F1 {100 * judge['macro_f1']:.1f} % on the "
        f"{judge['n']} full-test faces). Relative fidelity = how often it calls the generated "
        "faces their class ÷ how often it recognises real test faces of that class (1 = as "
        "recognisable as real); '… calls its sources T' is that share for the neutral faces G "
        "was fed, i.e. the fidelity a G that copies its input would get. Fréchet distances "
        "(FD) in its penultimate features are to real "
        "test faces of the class: the neutral source faces (what a G that copies its input "
        "would score), the generated faces, and real training faces (the floor). A working G "
        "sits well below its source line. Near copies: generated faces closer to a real "
        "training face than 95 % of real faces are to their nearest other real face.",
        "",
        markdown_table(headers, rows),
    ]


def _generator_families(metrics: dict[str, Any], names: Mapping[str, str]) -> list[str]:
    """Each generator family's cost, the judge's verdict per class, and what it did downstream."""
    families = metrics.get("generator_families") or {}
    if not families:
        return ["No generator family was compared."]
    costs = []
    for family in families.values():
        seconds = family.get("training_seconds")
        spent = "time not recorded" if seconds is None else f"{seconds / 60:.1f} min of training"
        costs.append(f"{family['display_name']}: {family['models']} model(s), {spent}")
    headers = ["Target class", "family", "relative fidelity", "judge calls it T",
               "FD gen / source", "k-NN precision", "k-NN recall", "diversity (gen ÷ real)",
               "near copies"]  # fmt: skip
    rows = []
    classes = sorted({c for f in families.values() for c in f["classes"]}, key=EMOTIONS.index)
    for name in classes:
        for family in families.values():
            entry = family["classes"].get(name)
            if entry is None:
                continue
            fd, knn = entry["frechet_distance"], entry.get("knn_precision_recall") or {}
            rows.append([
                name, family["display_name"], _number(entry["relative_fidelity"]),
                _share(entry["label_fidelity"]), _number(fd.get("generated_over_source")),
                _number(knn.get("precision")), _number(knn.get("recall")),
                _number(entry.get("diversity_ratio")), _share(entry.get("near_copy_fraction")),
            ])  # fmt: skip
    return [
        "Both families are trained on the same training sample and judged by the same "
        "independent judge; budgets: " + "; ".join(costs) + ". The verdict's best GAN variant "
        "is picked among the variants of both families (more picks than the cheap "
        "alternatives get, so a narrow GAN lead there is weaker evidence than it looks). Read "
        "label fidelity beside k-NN recall and diversity: a collapsed G that draws one "
        "exaggerated face per class is recognised easily yet covers none of the real faces.",
        "",
        markdown_table(headers, rows),
        "",
        *_downstream_by_family(metrics, families, names),
    ]


def _downstream_by_family(
    metrics: dict[str, Any], families: Mapping[str, Any], names: Mapping[str, str]
) -> list[str]:
    """The GAN-augmentation variants side by side, one column per family (Δ vs baseline)."""
    test_set = metrics["verdict"]["macro_f1"]["test_set"]
    minority = metrics["settings"]["minority_class"]
    trained = [v for v in VARIANTS if v.name in metrics["variants"]]
    # the same augmentation in each family: paired by name (conditional_plus_sad ↔ plus_sad)
    by_family = {
        family: {
            v.name.removeprefix(f"{family}_"): v.name
            for v in trained
            if v.family == GAN_AUGMENTATION and v.generator == family
        }
        for family in families
    }
    first = next(iter(by_family.values()))
    shared = [key for key in first if all(key in m for m in by_family.values())]
    if not shared:
        return []
    headers = ["Augmentation"]
    for family in families.values():
        headers += [f"Δ macro-F1, p ({family['display_name']})",
                    f"Δ {minority} recall ({family['display_name']})"]  # fmt: skip
    rows = []
    for key in shared:
        row = [_name(names, first[key])]
        for members in by_family.values():
            comparison = metrics["variants"][members[key]]["test_sets"][test_set]["vs_baseline"]
            f1, recall = comparison["macro_f1"], comparison["minority_recall"]
            row += [f"{100 * f1['delta']:+.1f}, p = {f1['p_value']:.3g}",
                    f"{100 * recall['delta']:+.1f}"]  # fmt: skip
        rows.append(row)
    return [
        f"Downstream, on the {_title(test_set)} (paired against the baseline on the same images "
        "and seeds, as in the overview):",
        "",
        markdown_table(headers, rows),
    ]


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
    test_set = _title(verdict["test_set"])
    ranking = ", ".join(f"{_name(names, v)} {100 * s['mean']:.1f}" for v, s in verdict["ranking"])
    if best == BASELINE:
        lines = [
            f"- **{what}** ({test_set}): no variant beats the baseline "
            f"({pct(verdict['baseline'])} %). Ranking: {ranking}."
        ]
    else:
        lines = [
            f"- **{what}** ({test_set}): **{_name(names, best)}** wins with "
            f"{pct(verdict['best'])} % vs baseline {pct(verdict['baseline'])} % "
            f"({_spread_clause(verdict)}). Ranking: {ranking}."
        ]
    duel = verdict.get("gan_vs_cheap_alternatives")
    if duel:
        gan, cheap = _name(names, duel["gan_variant"]), _name(names, duel["alternative_variant"])
        leader = "GAN augmentation leads" if duel["delta"] > 0 else "the cheap alternative leads"
        if duel["delta"] == 0:
            leader = "a tie"
        lines.append(
            f"  - GAN augmentation vs cheap alternatives on {what}: best GAN variant "
            f"{gan} {pct(duel['gan'])} % vs best alternative {cheap} {pct(duel['alternative'])} %"
            f" — {leader} ({_spread_clause(duel)})."
        )
    return "\n".join(lines)


def headline(metrics: dict[str, Any], names: Mapping[str, str] = DISPLAY_NAMES) -> str:
    """The verdict in one sentence (macro-F1): what a run's last log line tells the user."""
    verdict = metrics["verdict"]["macro_f1"]
    best = _name(names, verdict["best_variant"])
    sentence = (
        f"macro-F1 on the {_title(verdict['test_set'])}: baseline {pct(verdict['baseline'])} %, "
        f"best variant {best} {pct(verdict['best'])} %"
    )
    duel = verdict.get("gan_vs_cheap_alternatives")
    if duel:
        leader = "GAN augmentation leads" if duel["delta"] > 0 else "the cheap alternative leads"
        sentence += (
            f"; best GAN variant {_name(names, duel['gan_variant'])} {pct(duel['gan'])} % vs "
            f"best cheap alternative {_name(names, duel['alternative_variant'])} "
            f"{pct(duel['alternative'])} % — {leader if duel['delta'] else 'a tie'} "
            f"(paired bootstrap p = {duel['p_value']:.3g})"
        )
    return sentence + "."


def _header(metrics: dict[str, Any], names: Mapping[str, str]) -> list[str]:
    settings = metrics["settings"]
    test_sets = ", ".join(
        f"{_title(name)} ({size} images)" for name, size in settings["test_set_sizes"].items()
    )
    return [
        "# Emotion classification with CycleGAN augmentation — reproduction report",
        "",
        f"Variants: {', '.join(_name(names, v) for v in metrics['variants'])}. "
        f"Seeds per variant: {settings['seeds']}. Every variant trains for the same "
        f"{settings['steps']} optimiser steps (DAG: pre-train + fine-tune within that budget). "
        f"Test sets: {test_sets}.",
        "",
    ]


def _verdict_section(metrics: dict[str, Any], names: Mapping[str, str]) -> list[str]:
    settings, verdict = metrics["settings"], metrics["verdict"]
    minority = f"Minority ({settings['minority_class']}) recall"
    return [
        "## Verdict",
        "",
        _verdict_sentences(verdict["macro_f1"], "Macro-F1", names),
        _verdict_sentences(verdict["minority_recall"], minority, names),
        "",
        "Mean ± sd over seeds; Δ is the difference of seed means; the p-value is a paired "
        f"bootstrap over test images ({settings['bootstrap_resamples']} resamples, same draws "
        "for every variant), so it reflects test-set noise, while the seed spread reflects "
        "training noise. A difference counts as exceeding the seed spread when it is larger "
        "than the sum of the two seed standard deviations.",
        "",
    ]


def _paper_metric_section(paper_all: float) -> list[str]:
    """How the paper's "All" relates to top-1, worked on the paper's baseline ``paper_all``."""
    return [
        '## How to read the paper\'s "accuracy"',
        "",
        "Tables 1–2 of the paper report, per class, the one-vs-rest accuracy (TP + TN) / N, and "
        '"All" is the mean over the classes. Every misclassified image is one false negative '
        f"(its true class) and one false positive (its predicted class), so the mean equals "
        f"1 − 2e/K for top-1 error e; with K = {NUM_CLASSES}, the paper's baseline "
        f"{100 * paper_all:.2f} % corresponds to a top-1 accuracy of "
        f"{100 * top1_from_one_vs_rest_mean(paper_all):.1f} %. A rare class scores "
        "high on this metric through true negatives alone, so it does not measure minority "
        "performance: the tables below therefore also give top-1 accuracy, macro-F1, balanced "
        "accuracy and per-class recall. Caveat on the paper's per-class rows: its disgust "
        "entries on the 7 % set (73.91, 91.30, 95.65) are exactly 17/23, 21/23 and 22/23 — "
        "fractions over a class-sized denominator. One-vs-rest accuracy over all ~2,500 test "
        "images would be 73.9 % for a class of ~1.5 % prevalence only if about a quarter of "
        "all test images were disgust errors, so those rows may be per-class recall rather "
        "than one-vs-rest.",
        "",
    ]


def _variants_section(metrics: dict[str, Any], names: Mapping[str, str]) -> list[str]:
    parts = ["## All variants", ""]
    for name in metrics["settings"]["test_set_sizes"]:
        parts += [f"**{_title(name)}**", "", _overview(metrics, name, names), ""]
    test_set = metrics["verdict"]["macro_f1"]["test_set"]
    return parts + [
        f"Per-class recall on the {_title(test_set)}:",
        "",
        _per_class_recall(metrics, test_set, names),
        "",
    ]


def _tables_section(
    metrics: dict[str, Any], table1_md: str, table2_md: str, names: Mapping[str, str]
) -> list[str]:
    return [
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
        _composition(metrics, names),
        "",
        "## Label fidelity of the generated images",
        "",
        "Accuracy of the baseline classifiers (mean ± sd over seeds) on each class's generated "
        "images, beside their recall on real test images of that class: generated images "
        "recognised far less often than real ones do not carry their class's expression.",
        "",
        _fidelity(metrics, metrics["verdict"]["macro_f1"]["test_set"]),
        "",
        "## GAN quality, as an independent judge sees it",
        "",
        *_gan_quality(metrics),
        "",
        "## Generator families: six CycleGANs vs one conditional generator",
        "",
        *_generator_families(metrics, names),
        "",
    ]


def _figures_section(images: Mapping[str, tuple[str, Image.Image]]) -> list[str]:
    parts = ["## Figures", ""]
    for catalog_name, (caption, _) in images.items():
        link = f"![{caption}]({figure_path(catalog_name)})"
        parts += [f"**{caption}** (catalog: `{catalog_name}`)", "", link, ""]
    return parts


def render_report(
    metrics: dict[str, Any],
    table1_md: str,
    table2_md: str,
    images: Mapping[str, tuple[str, Image.Image]],
    paper_all: float,
    display_names: Mapping[str, str] = DISPLAY_NAMES,
) -> ReportDocument:
    """The whole report, once as Markdown (figures linked as ``figures/<name>.png``) and the
    same text as one self-contained HTML page (figures embedded), with the PNG files.

    ``images`` maps a catalog name to ``(caption, image)``; the catalog name is printed too,
    so the versioned PNG file of the same run can be found in the catalog. ``paper_all``
    is the paper's baseline "All" as a fraction (its worked example of the metric).
    """
    markdown = "\n".join(
        [
            *_header(metrics, display_names),
            *_verdict_section(metrics, display_names),
            *_paper_metric_section(paper_all),
            *_variants_section(metrics, display_names),
            *_tables_section(metrics, table1_md, table2_md, display_names),
            *_figures_section(images),
        ]
    )
    return build_document(markdown, {name: image for name, (_, image) in images.items()})

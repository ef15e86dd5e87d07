"""Which fine-tuning settings the transfer pipeline defaults to: a validation search.

The settings of ``conf/base/parameters_transfer.yml`` (``transfer.fine_tune`` for the
FER-trained models, ``transfer.scratch`` for the reference) are chosen here, on a lab set
rendered from *another seed* — other people, never the set the pipeline evaluates — by grouped
k-fold cross-validation over its subjects (the pipeline's own split code), scored by macro-F1
over the folds. Each candidate is trained for each fold and seed in one process, one after
another, so their times compare.

    .venv/bin/python bench/transfer_settings.py                    # embedded models (data/)
    .venv/bin/python bench/transfer_settings.py --data-root data/fer2013_cpu

Needs the env's latest ``baseline.classifier`` and ``dag.classifier`` (a finished ``full``
run). Prints one line per candidate and appends them as JSON lines to
``docs/transfer_settings/<data root name>.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from emotion_gan.datasets import SmallFacesDataset, TorchModelDataset
from emotion_gan.models.classifier import build_classifier, fine_tune, predict_among
from emotion_gan.pipelines.transfer.nodes import transfer_settings
from emotion_gan.stats.classification import classification_metrics, confusion_matrix
from emotion_gan.stats.splits import assign_folds, folds_of

#: Candidates: (mode, learning rate, steps) for the FER models; (lr, steps) for scratch.
#: Small on purpose: each candidate is 5 folds × the seeds, ~10 s per 100 steps and model on
#: 2 AVX2 cores, so the grid spans the choices that matter (mode, lr, steps) sparsely.
FINE_TUNE_GRID = [
    ("whole", 3e-4, 100),
    ("whole", 1e-3, 100),
    ("head", 1e-3, 100),
    ("whole", 3e-4, 300),
    ("head", 1e-3, 300),
]
SCRATCH_GRID = [(1e-3, 100), (1e-3, 300), (3e-3, 300)]


def _latest(path: Path) -> Path:
    return sorted(path.iterdir())[-1] / path.name


def _score(models: dict[str, Any], small, folds, training: dict[str, Any], classifier) -> dict:
    settings = transfer_settings(classifier, training)
    classes = sorted(set(small.labels.tolist()))
    scores, start = [], time.perf_counter()
    for index, fold in enumerate(folds):
        for seed, source in models.items():
            model, _ = fine_tune(source, small.images[fold.train], small.labels[fold.train],
                                 settings, mode=training.get("mode", "whole"),
                                 seed=int(seed) * 100 + index, run_name="bench")  # fmt: skip
            predicted = predict_among(model, small.images[fold.test], classes)
            cm = confusion_matrix(small.labels[fold.test], predicted)
            scores.append(classification_metrics(cm)["macro_f1"])
    return {"macro_f1": float(np.mean(scores)), "sd": float(np.std(scores, ddof=1)),
            "seconds": time.perf_counter() - start}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-root", default="data")
    parser.add_argument("--validation-seed", type=int, default=4242)
    parser.add_argument("--seeds", nargs="+", default=["0"])
    args = parser.parse_args()
    conf = yaml.safe_load(Path("conf/base/parameters_train_baseline.yml").read_text())
    transfer = yaml.safe_load(Path("conf/base/parameters_transfer.yml").read_text())["transfer"]
    classifier = conf["classifier"]
    root = Path(args.data_root)
    small = SmallFacesDataset(embedded={
        "path": f"/tmp/transfer_validation_{args.validation_seed}", "subjects": 10,
        "repeats": 3, "seed": args.validation_seed}).load()  # fmt: skip
    split, _ = assign_folds(small.labels, small.subject, protocol="kfold",
                            folds=transfer["split"]["folds"], test_fraction=0.2,
                            seed=0)  # fmt: skip
    folds = folds_of(split)
    models_root = root / "06_models" / "classifiers"
    fer = {
        name: TorchModelDataset(filepath=str(_latest(models_root / f"{name}.pt"))).load()
        for name in ("baseline", "dag")
    }
    out = Path("docs/transfer_settings") / f"{root.name}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []

    def record(row: dict[str, Any]) -> None:
        rows.append(row)
        print(json.dumps(row), flush=True)
        with out.open("a") as handle:
            handle.write(json.dumps({**row, "validation_seed": args.validation_seed}) + "\n")

    for mode, lr, steps in FINE_TUNE_GRID:
        training = {"mode": mode, "learning_rate": lr, "steps": steps, "flip_crop": True}
        for name, bundle in fer.items():
            models = {s: bundle[s] for s in args.seeds}
            record({"source": name, **training, **_score(models, small, folds, training,
                                                         classifier)})  # fmt: skip
    for lr, steps in SCRATCH_GRID:
        training = {"learning_rate": lr, "steps": steps, "flip_crop": True}
        models = {s: build_classifier(int(s), **classifier["architecture"]) for s in args.seeds}
        record({"source": "scratch", **training, **_score(models, small, folds, training,
                                                          classifier)})  # fmt: skip
    fine = {}
    for row in rows:
        if row["source"] != "scratch":
            key = (row["mode"], row["learning_rate"], row["steps"])
            fine.setdefault(key, []).append(row["macro_f1"])
    best = max(fine, key=lambda k: np.mean(fine[k]))
    scratch = max((r for r in rows if r["source"] == "scratch"), key=lambda r: r["macro_f1"])
    print(
        f"chosen fine_tune (mean of baseline and dag): mode {best[0]}, lr {best[1]:g}, "
        f"steps {best[2]}: macro-F1 {np.mean(fine[best]):.3f}"
    )
    print(
        f"chosen scratch: lr {scratch['learning_rate']:g}, steps {scratch['steps']}: "
        f"macro-F1 {scratch['macro_f1']:.3f}"
    )


if __name__ == "__main__":
    main()

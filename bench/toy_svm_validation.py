"""How the toy CycleGAN settings were chosen: validation draws only, never the test points.

For each validation seed (default 100–123, disjoint from the pipeline's seeds 0–19) it draws the
§4.1 training set, trains the 2-D CycleGAN with ``conf/base/parameters_toy_svm.yml``'s settings
(optionally overridden), adds 900 generated minority points and scores the linear SVM on a large
held-out *validation* draw (2000 points per class, its own random stream). The baseline SVM is
scored on the same validation points. It also times one CycleGAN run (the pipeline trains 2 ×
num_seeds of them, which dominates its ≤ 60 s budget).

    .venv/bin/python bench/toy_svm_validation.py                         # ~40 s on 2 idle cores
    .venv/bin/python bench/toy_svm_validation.py --set steps=600 learning_rate=0.02

Last line: ``toy_svm_validation: ref <r> aug <acc> base <acc> | ... | <s> s per CycleGAN run``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import yaml

from emotion_gan.models.toy.classifiers import accuracy, fit_linear_svm
from emotion_gan.models.toy.point_cyclegan import PointCycleGANSettings, train_point_cyclegan
from emotion_gan.sources.toy_gaussians import GaussianClasses, draw_toy_data, draw_validation_data

PARAMETERS = Path(__file__).resolve().parents[1] / "conf/base/parameters_toy_svm.yml"


def main() -> None:
    """Print validation accuracy of CycleGAN augmentation vs the baseline per reference class."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first-seed", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=24)
    parser.add_argument("--set", nargs="*", default=[], help="cyclegan overrides, key=value")
    args = parser.parse_args()

    params = yaml.safe_load(PARAMETERS.read_text())["toy_svm"]
    cyclegan = dict(params["cyclegan"])
    for item in args.set:
        key, _, value = item.partition("=")
        cyclegan[key] = yaml.safe_load(value)
    classes = GaussianClasses.from_lists(
        params["classes"]["means"], params["classes"]["covariance"]
    )
    minority = params["minority_class"]
    summary, run_seconds = [], []
    for reference in (params["reference_class"], params["other_reference_class"]):
        augmented, baseline = [], []
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            draw = draw_toy_data(
                classes,
                train_counts=params["train_counts"],
                test_counts=params["test_counts"],
                minority_class=minority,
                oracle_extra_count=0,
                seed=seed,
            )
            validation_points, validation_labels = draw_validation_data(
                classes, [2000] * len(classes.means), seed
            )
            start = time.perf_counter()
            model, _ = train_point_cyclegan(
                draw.train_points_of(reference),
                draw.train_points_of(minority),
                PointCycleGANSettings.from_params(cyclegan, seed=seed),
                progress_desc=f"validation seed {seed}",
            )
            run_seconds.append(time.perf_counter() - start)
            source = draw.train_points_of(reference)
            chosen = np.random.default_rng(seed).choice(
                len(source), params["generated_count"], replace=False
            )
            generated = model.reference_to_target(source[chosen])
            points = np.concatenate([draw.train_points, generated])
            labels = np.concatenate([draw.train_labels, np.full(len(generated), minority)])
            augmented.append(
                accuracy(fit_linear_svm(points, labels), validation_points, validation_labels)
            )
            baseline.append(
                accuracy(
                    fit_linear_svm(draw.train_points, draw.train_labels),
                    validation_points,
                    validation_labels,
                )
            )
        summary.append(
            f"ref {reference} aug {np.mean(augmented):.4f} ± {np.std(augmented, ddof=1):.4f} "
            f"base {np.mean(baseline):.4f} (min aug {np.min(augmented):.4f})"
        )
    print(
        f"toy_svm_validation: {' | '.join(summary)} | Bayes {classes.bayes_accuracy():.4f} | "
        f"{np.median(run_seconds):.2f} s per CycleGAN run (median)"
    )


if __name__ == "__main__":
    main()

"""toy_svm nodes: the metrics' shape, the figures, and the errors users can hit.

The seed-paired comparison itself is tested in ``tests/stats/test_paired_tests.py``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from emotion_gan.pipelines.toy_svm.nodes import (
    METHODS,
    compute_bayes_accuracy,
    draw_toy_datasets,
    generate_minority_points,
    judge_generated_points,
    plot_fig2a,
    score_baseline,
    score_oracle,
    summarise_toy_metrics,
    train_point_cyclegans,
)

CLASSES = {"means": [[0.0, 6.0], [6.5, 7.0], [2.0, 2.0]], "covariance": [[2.0, 1.0], [1.0, 2.0]]}
SETTINGS = {
    "paired_test_alpha": 0.05,
    "target_cyclegan_mean": 0.965,
    "reference_class": 1,
    "other_reference_class": 2,
    "minority_class": 3,
    "train_counts": [1000, 1000, 100],
    "test_counts": [100, 100, 100],
    "generated_count": 900,
    "paper": {"baseline": 0.933, "cyclegan": 0.98},
    "cyclegan": {"steps": 400},
    "cyclegan_tuning": "validation draws only",
}


def _draws(num_seeds: int = 2):
    return draw_toy_datasets(
        classes=CLASSES,
        train_counts=[200, 200, 20],
        test_counts=[50, 50, 50],
        minority_class=3,
        oracle_extra_count=180,
        first_seed=0,
        num_seeds=num_seeds,
    )


def test_metrics_have_every_key_and_state_the_target() -> None:
    draws = _draws(3)
    per_seed = {name: [0.95, 0.96, 0.97] for name in METHODS}
    metrics = summarise_toy_metrics(
        draws=draws,
        baseline=per_seed["baseline"],
        cyclegan=[0.97, 0.97, 0.98],
        class_weight=per_seed["class_weight"],
        smote=per_seed["smote"],
        oracle=per_seed["oracle"],
        cyclegan_other_reference=[0.96, 0.96, 0.96],
        bayes_accuracy=0.9701,
        settings=SETTINGS,
    )
    for name in METHODS:
        assert set(metrics[name]) >= {"mean", "sd", "per_seed"}
        assert len(metrics[name]["per_seed"]) == 3
    assert metrics["cyclegan"]["mean"] == pytest.approx(0.9733, abs=1e-4)
    assert metrics["baseline"]["sd"] == pytest.approx(0.01)
    assert metrics["cyclegan_other_reference"]["reference_class"] == 2
    assert metrics["paper_baseline"] == 0.933 and metrics["paper_cyclegan"] == 0.98
    assert metrics["bayes_accuracy"] == 0.9701
    assert "cyclegan_vs_baseline" in metrics["paired_comparisons"]
    # Mean ≥ 0.965 but three seeds cannot make Wilcoxon significant: the target is not met.
    assert metrics["target"]["cyclegan_mean_met"] and not metrics["target"]["met"]
    assert metrics["setup"]["seeds"] == [0, 1, 2]


def test_baseline_sits_below_oracle_and_bayes_on_average() -> None:
    draws = _draws(4)
    baseline, oracle = (
        score_baseline(draws, {"regularisation_c": 1.0}),
        score_oracle(draws, 3, {"regularisation_c": 1.0}),
    )
    assert np.mean(oracle) > np.mean(baseline)
    assert compute_bayes_accuracy(CLASSES) == pytest.approx(0.9701, abs=1e-4)


def test_user_errors_name_the_problem() -> None:
    draws = _draws(1)
    with pytest.raises(ValueError, match="reference class 3 is the minority class"):
        train_point_cyclegans(draws, 3, 3, {})
    with pytest.raises(ValueError, match="only 200 training points"):
        generate_minority_points(draws, [None], 1, 900)
    with pytest.raises(ValueError, match="num_seeds must be at least 1"):
        draw_toy_datasets(
            classes=CLASSES,
            train_counts=[10, 10, 10],
            test_counts=[1, 1, 1],
            minority_class=3,
            oracle_extra_count=1,
            first_seed=0,
            num_seeds=0,
        )


def test_fig2a_boundary_moves_into_the_minority() -> None:
    before = plt.get_fignums()
    figure = plot_fig2a({"means": [0.0, 3.0], "counts": [1000, 50], "seed": 0})
    assert isinstance(figure, Figure)
    assert plt.get_fignums() == before  # a plain Figure: no pyplot registry to leak into
    learned = next(line for line in figure.axes[0].lines if "S_r" in line.get_label())
    assert learned.get_xdata()[0] > 1.5  # the ideal S_i = 1.5; imbalance pushes S_r to class 2


def test_the_bayes_judge_tells_a_copying_generator_from_one_that_translates() -> None:
    """A G that returns its reference input gets the source line exactly (FD ratio 1, the
    fidelity its sources get); a G that draws true minority points is as recognisable as real
    ones (relative fidelity ≈ 1) and sits far below the source line."""
    draws = _draws()
    copied = [draw.train_points_of(1) for draw in draws]
    perfect = [draw.oracle_minority_points for draw in draws]
    copying = judge_generated_points(draws, copied, 1, 3, CLASSES)["summary"]
    working = judge_generated_points(draws, perfect, 1, 3, CLASSES)["summary"]
    assert copying["label_fidelity"]["mean"] == copying["source_called_target"]["mean"] < 0.05
    assert copying["fd_generated_over_source"]["mean"] == pytest.approx(1.0, abs=0.35)
    assert working["relative_fidelity"]["mean"] == pytest.approx(1.0, abs=0.1)
    assert working["fd_generated_over_source"]["mean"] < 0.1
    assert len(working["knn_precision"]["per_seed"]) == 2

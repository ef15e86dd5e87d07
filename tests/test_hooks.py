"""The parameters check (emotion_gan.parameter_checks and its hook): conf envs pass, each kind
of mismatch is named."""

from __future__ import annotations

import copy

import pytest
import yaml
from kedro.config import OmegaConfigLoader

from emotion_gan.hooks import NamespaceParametersCheck
from emotion_gan.parameter_checks import (
    key_paths,
    namespace_parameter_problems,
    parameter_schema_problems,
)
from emotion_gan.parameter_ranges import RANGES, range_for
from tests.conftest import PROJECT_ROOT


def parameters(env: str) -> dict:
    loader = OmegaConfigLoader(
        str(PROJECT_ROOT / "conf"),
        base_env="base",
        default_run_env=env,
        merge_strategy={"parameters": "soft"},
        runtime_params={},
    )
    return loader["parameters"]


@pytest.mark.parametrize("env", ["local", "fer2013", "fer2013_cpu", "embedded_study"])
def test_shipped_envs_match_the_namespaces(env: str) -> None:
    assert namespace_parameter_problems(parameters(env)) == []


def test_each_mismatch_is_named() -> None:
    params = copy.deepcopy(parameters("local"))
    params["cyclegan"]["reference_class"] = "happy"
    params["variants"]["mixup"] = params["variants"]["baseline"]
    del params["variants"]["smote"]
    params["sad"] = {"target_class": "fear"}
    problems = namespace_parameter_problems(params)
    assert len(problems) == 4
    assert "reference_class is 'happy'" in problems[0]
    assert "namespace 'sad' needs `sad: {target_class: sad}`" in problems[1]
    assert "variants ['mixup'] have parameters but no namespace" in problems[2]
    assert "variants ['smote'] are built but have no entry" in problems[3]
    with pytest.raises(ValueError, match="parameters do not match the pipelines"):
        NamespaceParametersCheck().after_catalog_created(params)


def test_every_parameter_that_names_a_class_variant_or_test_set_is_checked() -> None:
    params = copy.deepcopy(parameters("local"))
    params["variants"]["plus_sad"]["generated_classes"] = ["sadness"]
    params["dag"]["generated_classes"] = ["neutral"]
    params["tsne"]["panels"][1]["generated_classes"] = "disgust"
    params["evaluation"]["minority_class"] = "contempt"
    params["evaluation"]["verdict_test_set"] = "test_5pct"
    params["evaluation"]["paper"]["table2"]["test_7pct"]["dag_v2"] = 1.0
    params["evaluation"]["families"] = {"gan_augmentation": ["plus_sad"]}
    params["sample_imbalanced"]["test_subset_fractions"] = {"test_7pct": 0.07}
    problems = "\n".join(namespace_parameter_problems(params))
    for expected in (
        "variants.plus_sad.generated_classes names ['sadness'], which have no CycleGAN",
        "dag.generated_classes names ['neutral']",
        "tsne.panels[1].generated_classes names ['disgust']",
        "evaluation.minority_class 'contempt' is not one of",
        "evaluation.verdict_test_set 'test_5pct' is not one of",
        "evaluation.paper.table2.test_7pct names unknown variants ['dag_v2']",
        "evaluation.families is no longer a parameter",
        "sample_imbalanced.test_subset_fractions must give a fraction for exactly",
    ):
        assert expected in problems
    assert len(namespace_parameter_problems(params)) == 8


def test_a_kedro_run_with_an_unknown_variant_stops_before_any_node(
    kedro_project, run_kedro
) -> None:
    variants = {"variants": {**parameters("local")["variants"], "mixup": {"rebalancing": "none"}}}
    project = kedro_project({"extra/parameters.yml": variants})
    with pytest.raises(ValueError, match=r"variants \['mixup'\] have parameters but no namespace"):
        run_kedro(project, ["sample_imbalanced"], env="extra")
    assert not any((project / "data").rglob("*.npz")), "nothing may run"


def test_settings_blocks_are_checked_with_their_full_parameter_path() -> None:
    params = copy.deepcopy(parameters("local"))
    params["classifier"]["training"]["steps"] = "abc"
    params["cyclegan"]["training"]["learning_rate"] = "fast"
    params["judge"]["training"]["stpes"] = 3
    params["variants"]["baseline"]["rebalancng"] = "smote"
    params["sample_imbalanced"]["train_fraction"] = "half"
    params["cyclegan"]["architecture"]["ngff"] = 8
    problems = namespace_parameter_problems(params)
    assert problems == [
        "classifier.training: TrainingSettings: wrong type for steps='abc' (expected int)",
        "judge.training has unknown settings ['stpes']; known: adam_betas, balanced_sampling, "
        "batch_size, class_weighted, crop_padding, device, flip_crop, label_smoothing, "
        "learning_rate, log_every, precision, schedule, steps, warmup_fraction, weight_decay",
        "cyclegan.training: CycleGANConfig: wrong type for learning_rate='fast' (expected float)",
        "cyclegan.architecture: got an unexpected keyword argument 'ngff'",
    ]  # variants are checked once the shared block they build on is valid:
    params["classifier"]["training"]["steps"] = 0
    problems = namespace_parameter_problems(params)
    assert "classifier.training.steps must be >= 1; 0 would save an untrained model" in problems
    assert any(
        p.startswith("variants.baseline: unknown variant keys ['rebalancng']") for p in problems
    )


def test_the_conditional_generators_blocks_are_checked_too() -> None:
    params = copy.deepcopy(parameters("local"))
    params["conditional_gan"]["training"]["reconstruction_loss_weight"] = -1.0
    params["conditional_gan"]["architecture"]["num_domains"] = 3  # one per emotion, always
    assert namespace_parameter_problems(params) == [
        "conditional_gan.training: invalid ConditionalGANConfig: reconstruction_loss_weight=-1.0 "
        "(steps, batch_size, log_every >= 1; learning_rate > 0; fractions in [0, 1]; the rest "
        ">= 0)",
        "conditional_gan.architecture: num_domains is one per emotion (7), set by the pipeline; "
        "remove it",
    ]


def test_conf_base_is_the_schema_for_keys_and_number_types() -> None:
    base = key_paths(parameters("local"))
    for env in ("local", "fer2013", "fer2013_cpu", "embedded_study"):
        assert parameter_schema_problems(parameters(env), base) == []
    params = copy.deepcopy(parameters("local"))
    params["sample_imbalanced"]["train_fraction"] = "half"
    params["sample_imbalanced"]["train_fractoin"] = 0.3
    params["evaluation"]["bootstrap"]["resamples"] = 2.5
    params["cyclegan"]["resume"] = "no"
    params["fer2013_csv"] = "/data/fer2013.csv.gz"  # a runtime value for the catalog
    params["tsne"]["plot"] = {"dpi": 300}  # an unknown block: reported once, not per key
    assert parameter_schema_problems(params, base) == [
        "cyclegan.resume must be true or false (conf/base: True); got 'no'",
        "evaluation.bootstrap.resamples must be a whole number (conf/base: 2000); got 2.5",
        "sample_imbalanced.train_fraction must be a number (conf/base: 0.2); got 'half'",
        "unknown parameter 'sample_imbalanced.train_fractoin' (conf/base has no such key); "
        "known here: sample_seed, test_subset_fractions, train_fraction, "
        "train_fraction_per_class",
        "unknown parameter 'tsne.plot' (conf/base has no such key); known here: max_iter, "
        "max_points, panels, pca_components, perplexity, seed",
    ]


def test_transfer_settings_are_checked_before_any_node() -> None:
    params = copy.deepcopy(parameters("local"))
    params["transfer"]["scratch"]["mode"] = "head"
    params["transfer"]["fine_tune"]["mode"] = "top"
    params["transfer"]["fine_tune"]["steps"] = 0
    params["transfer"]["split"]["protocol"] = "loo"
    problems = "\n".join(namespace_parameter_problems(params))
    assert "transfer.scratch.mode: scratch always trains the whole network" in problems
    assert "transfer.fine_tune.mode must be one of ('whole', 'head'); got 'top'" in problems
    assert "transfer.fine_tune.steps must be >= 1" in problems
    assert "transfer.split.protocol must be one of ('kfold', 'holdout', 'given')" in problems


def test_an_unknown_classifier_normalisation_is_refused_before_any_node() -> None:
    params = copy.deepcopy(parameters("local"))
    params["classifier"]["architecture"]["normalisation"] = "layer"
    problems = "\n".join(namespace_parameter_problems(params))
    assert (
        "classifier.architecture.normalisation must be one of ('lrn', 'batch') (Table 3: "
        "'lrn'); got 'layer'"
    ) in problems


def _base_tree() -> dict:
    """conf/base's parameters alone, read as the hook reads them (plain YAML, no loader)."""
    tree: dict = {}
    for path in sorted((PROJECT_ROOT / "conf" / "base").glob("parameters*.yml")):
        tree.update(yaml.safe_load(path.read_text()) or {})
    return tree


def _with(tree: dict, path: str, value: object) -> dict:
    changed = copy.deepcopy(tree)
    *parents, key = path.split(".")
    block = changed
    for part in parents:
        block = block[part]
    block[key] = value
    return changed


def _all_problems(tree: dict) -> list[str]:
    base = key_paths(_base_tree())
    return namespace_parameter_problems(tree) + parameter_schema_problems(tree, base)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("tsne.perplexity", -5.0, "tsne.perplexity must be > 0 (conf/base: 30.0); got -5.0"),
        ("tsne.max_iter", 100,
         "tsne.max_iter must be a whole number >= 250 (conf/base: 500); got 100"),
        ("sample_imbalanced.train_fraction", 1.7,
         "sample_imbalanced.train_fraction must be in (0, 1] (conf/base: 0.2); got 1.7"),
        ("sample_imbalanced.test_subset_fractions.test_7pct", 0.0,
         "sample_imbalanced.test_subset_fractions.test_7pct must be in (0, 1] (conf/base: 0.07); "
         "got 0.0"),
        ("ingest.test_fraction", 1.0,
         "ingest.test_fraction must be in (0, 1) (conf/base: 0.2); got 1.0"),
        ("evaluation.bootstrap.resamples", 0,
         "evaluation.bootstrap.resamples must be a whole number >= 1 (conf/base: 2000); got 0"),
        ("generation.reuse_pad", 48,
         "generation.reuse_pad must be a whole number in [0, 47] (conf/base: 4); got 48"),
        ("cyclegan.architecture.n_layers", 5,
         "cyclegan.architecture.n_layers must be a whole number in [1, 4] (conf/base: 2); got 5"),
        ("classifier.training.learning_rate", 0.0,
         "classifier.training.learning_rate must be > 0 (conf/base: 0.001); got 0.0"),
        ("classifier.architecture.dropout", 1.0,
         "classifier.architecture.dropout must be in [0, 1) (conf/base: 0.0); got 1.0"),
        ("judge.inference.batch_size", 0,
         "judge.inference.batch_size must be a whole number >= 1 (conf/base: 512); got 0"),
        ("classifier.seeds", [0, -1],
         "classifier.seeds[1] must be a whole number in [0, 4294967295]; got -1"),
        ("classifier.seeds", [],  # issue 11 #3: refused before ingest, not in train_baseline
         "classifier.seeds must list at least one number (conf/base: [0, 1]); got []"),
        ("judge.logit_adjustment.strengths", [0.5, 2.5],
         "judge.logit_adjustment.strengths[1] must be in [0, 2]; got 2.5"),
        ("evaluation.paper.table2.test_7pct.dag", 947.1,
         "evaluation.paper.table2.test_7pct.dag must be in [0, 100] (conf/base: 94.71); got 947.1"),
        ("toy_svm.classes.means", [[0.0, float("inf")]],
         "toy_svm.classes.means[0][1] must be a finite number; got inf"),
        ("toy_svm.classes.means", [[0.0, 6.0], []],
         "toy_svm.classes.means[1] must list at least one number; got []"),
        ("judge.logit_adjustment.strengths", [],
         "judge.logit_adjustment.strengths must list at least one number "
         "(conf/base: [0.0, 0.25, 0.5, 0.75, 1.0]); got []"),
    ],
)  # fmt: skip
def test_a_number_out_of_its_range_is_named_with_the_range_and_conf_base(
    path: str, value: object, message: str
) -> None:
    problems = _all_problems(_with(_base_tree(), path, value))
    assert len(problems) == 1, problems
    assert problems[0].startswith(message + " — "), problems[0]  # then why the bound exists


@pytest.mark.parametrize(
    ("path", "value"),
    [("tsne.perplexity", 27.5), ("tsne.perplexity", 5), ("sample_imbalanced.train_fraction", 1.0),
     ("generation.reuse_pad", 0), ("toy_svm.classes.means", [[-3.0, 6.0], [6.5, 7.0], [2, 2]])],
)  # fmt: skip
def test_a_number_inside_its_range_passes(path: str, value: object) -> None:
    assert _all_problems(_with(_base_tree(), path, value)) == []


def _numbers(value: object) -> bool:
    """A number, or a (nested) list holding numbers: what a range applies to."""
    if isinstance(value, list):
        return any(_numbers(item) for item in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def test_every_number_of_conf_base_has_a_range() -> None:
    """Each number is bounded by RANGES or by the settings block it builds (probed: -1 there
    must be refused under the block's path), so a new parameter without a range fails here."""
    tree, base = _base_tree(), key_paths(_base_tree())
    unbounded = []
    for path, value in base.items():
        if not _numbers(value):
            continue
        bounds = range_for(path)
        if bounds is not None:  # the type layer refuses 2.5 for an int: a whole range needs one
            assert not bounds.whole or isinstance(value, (int, list)), path
            continue
        block = path.rpartition(".")[0]
        if not any(p.startswith(block) for p in _all_problems(_with(tree, path, -1))):
            unbounded.append(path)
    assert unbounded == [], f"add these to RANGES in emotion_gan/parameter_ranges.py: {unbounded}"
    for key in RANGES:  # and no entry outlives its parameter
        assert key.removesuffix(".*") in base, f"RANGES[{key!r}] names no conf/base parameter"

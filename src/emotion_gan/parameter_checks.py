"""What is wrong with a run's parameters: pure functions the parameters hook reports.

Why a module of its own: Kedro builds pipelines before it reads parameters, so the namespaces
(one per target class, one per classifier variant) are fixed in :mod:`emotion_gan.vocabulary`
while their settings live in ``conf/*/parameters_*``. Without a check, a new ``variants:``
entry, another ``reference_class``, a misspelt key or ``steps=abc`` would be silently ignored or
fail deep inside a node. Each function returns a list of problems, every one naming the full
parameter path; :class:`emotion_gan.hooks.NamespaceParametersCheck` raises them together before
anything runs. Four layers: names against the vocabulary, keys and number types against
conf/base (the schema), the settings blocks built as what they configure, and the range of
every other number (:data:`emotion_gan.parameter_ranges.RANGES`).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from emotion_gan.models.training.fields import is_number
from emotion_gan.parameter_ranges import range_problems
from emotion_gan.vocabulary import (
    ALL_VARIANTS,
    EMOTIONS,
    NUM_CLASSES,
    REFERENCE_CLASS,
    TARGET_CLASSES,
    TEST_SETS,
    TEST_SUBSETS,
    variants_of,
)

_VOCABULARY = "emotion_gan/vocabulary.py"


def namespace_parameter_problems(parameters: dict[str, Any]) -> list[str]:
    """What in ``parameters`` disagrees with the vocabulary (empty: all fine)."""
    return [
        *_target_class_problems(parameters),
        *_variant_problems(parameters),
        *_evaluation_problems(parameters.get("evaluation")),
        *_generated_class_problems(parameters),
        *_test_subset_problems(parameters.get("sample_imbalanced")),
        *_settings_problems(parameters),
    ]


def _block(parameters: dict[str, Any], path: str) -> Any:
    for key in path.split("."):
        if not isinstance(parameters, dict) or key not in parameters:
            return None
        parameters = parameters[key]
    return parameters


def _settings_problems(parameters: dict[str, Any]) -> list[str]:
    """Every settings block built before any node runs: a typo, a string where a number
    belongs or a value out of range is named with its full parameter path.

    Imports the models here, not at module level: settings.py imports this module for every
    ``kedro`` command (``viz``, ``catalog`` …), which should not pay for torch.
    """
    from emotion_gan.models.classifier import NORMALISATIONS, EmotionCNN, TrainingSettings
    from emotion_gan.models.conditional.trainer import ConditionalGANConfig
    from emotion_gan.models.cyclegan.networks import build_cyclegan
    from emotion_gan.models.cyclegan.trainer import CycleGANConfig
    from emotion_gan.models.judge.network import JudgeCNN
    from emotion_gan.models.toy.point_cyclegan import PointCycleGANSettings
    from emotion_gan.pipelines.train_baseline.nodes import training_settings
    from emotion_gan.pipelines.train_judge.nodes import judge_training_settings

    # block path → how it is built (a block of keywords for a dataclass or a constructor)
    builders = {
        "classifier.training": lambda b: TrainingSettings(
            **{k: v for k, v in b.items() if k != "flip_crop"}  # read by the variants below
        ),
        "judge.training": lambda b: judge_training_settings({"training": b}),
        "cyclegan.training": lambda b: CycleGANConfig(**b),
        "conditional_gan.training": lambda b: ConditionalGANConfig(**b),
        "classifier.architecture": lambda b: inspect.signature(EmotionCNN).bind(**b),
        "judge.architecture": lambda b: inspect.signature(JudgeCNN).bind(**b),
        "cyclegan.architecture": lambda b: inspect.signature(build_cyclegan).bind(**b),
        "conditional_gan.architecture": _conditional_architecture,
        # the toy's CycleGANConfig; its seed is each draw's, 0 stands in for it here
        "toy_svm.cyclegan": lambda b: PointCycleGANSettings.from_params(b, seed=0),
    }
    adversarial = ("cyclegan.training", "conditional_gan.training")  # check their own steps
    problems = []
    for path, build in builders.items():
        block = _block(parameters, path)
        if block is None:
            continue
        if not isinstance(block, dict):
            problems.append(f"{path} must be a mapping of settings; got {block!r}")
            continue
        problems.extend(_built(path, lambda b=block, build=build: build(b)))
        if path.endswith(".training") and path not in adversarial:
            steps = block.get("steps")
            if isinstance(steps, int) and not isinstance(steps, bool) and steps < 1:
                problems.append(f"{path}.steps must be >= 1; 0 would save an untrained model")
    normalisation = _block(parameters, "classifier.architecture.normalisation")
    if normalisation is not None and normalisation not in NORMALISATIONS:
        problems.append(
            f"classifier.architecture.normalisation must be one of {NORMALISATIONS} (Table 3: "
            f"'lrn'); got {normalisation!r}"
        )
    classifier = parameters.get("classifier")
    shared_ok = not any(p.startswith("classifier.training:") for p in problems)
    problems.extend(_transfer_problems(parameters, classifier if shared_ok else None))
    variants = parameters.get("variants")
    for name, variant in variants.items() if isinstance(variants, dict) else []:
        if shared_ok and isinstance(classifier, dict) and isinstance(variant, dict):
            problems.extend(
                _built(f"variants.{name}", lambda v=variant: training_settings(classifier, v))
            )
    return problems


def _transfer_problems(parameters: dict[str, Any], classifier: Any) -> list[str]:
    """``transfer.fine_tune`` / ``transfer.scratch`` built as the settings they become (on top of
    ``classifier.training``), the fine-tuning mode, and the split protocol."""
    from emotion_gan.models.classifier import FINE_TUNE_MODES
    from emotion_gan.pipelines.transfer.nodes import transfer_settings
    from emotion_gan.stats.splits import PROTOCOLS

    problems = []
    for block_name in ("fine_tune", "scratch"):
        block = _block(parameters, f"transfer.{block_name}")
        path = f"transfer.{block_name}"
        if not isinstance(block, dict) or not isinstance(classifier, dict):
            continue
        problems.extend(_built(path, lambda b=block: transfer_settings(classifier, b)))
        if isinstance(block.get("steps"), int) and block["steps"] < 1:
            problems.append(f"{path}.steps must be >= 1; 0 would save an untrained model")
    if _block(parameters, "transfer.scratch.mode") is not None:
        problems.append(
            "transfer.scratch.mode: scratch always trains the whole network (only the head of a "
            "random network is no reference); remove the key"
        )
    mode = _block(parameters, "transfer.fine_tune.mode")
    if mode is not None and mode not in FINE_TUNE_MODES:
        problems.append(f"transfer.fine_tune.mode must be one of {FINE_TUNE_MODES}; got {mode!r}")
    protocol = _block(parameters, "transfer.split.protocol")
    if protocol is not None and protocol not in PROTOCOLS:
        problems.append(f"transfer.split.protocol must be one of {PROTOCOLS}; got {protocol!r}")
    return problems


def _conditional_architecture(block: dict[str, Any]) -> None:
    """The conditional generator's architecture; ``num_domains`` is the node's, not the user's."""
    from emotion_gan.models.conditional.networks import build_conditional_gan

    if "num_domains" in block:
        raise TypeError(
            f"num_domains is one per emotion ({NUM_CLASSES}), set by the pipeline; remove it"
        )
    inspect.signature(build_conditional_gan).bind(**block)


def _built(path: str, build: Any) -> list[str]:
    try:
        build()
    except (TypeError, ValueError) as exc:
        message = str(exc)
        return [message if message.startswith(path) else f"{path}: {message}"]
    return []


def _target_class_problems(parameters: dict[str, Any]) -> list[str]:
    cyclegan = parameters.get("cyclegan")
    if not isinstance(cyclegan, dict):
        return []
    problems = []
    reference = cyclegan.get("reference_class", REFERENCE_CLASS)
    if reference != REFERENCE_CLASS:
        problems.append(
            f"cyclegan.reference_class is {reference!r}, but the target-class namespaces are "
            f"every emotion except {REFERENCE_CLASS!r} (TARGET_CLASSES in {_VOCABULARY}); set "
            f"it back or change REFERENCE_CLASS there"
        )
    for target in TARGET_CLASSES:
        block = parameters.get(target)
        named = block.get("target_class") if isinstance(block, dict) else None
        if named != target:
            problems.append(
                f"namespace {target!r} needs `{target}: {{target_class: {target}}}` in "
                f"parameters (found {block!r})"
            )
    return problems


def _variant_problems(parameters: dict[str, Any]) -> list[str]:
    variants = parameters.get("variants")
    if not isinstance(variants, dict):
        return []
    built = variants_of("train_baseline")
    problems = []
    extra = sorted(set(variants) - set(built))
    missing = sorted(set(built) - set(variants))
    if extra:
        problems.append(
            f"variants {extra} have parameters but no namespace: add them to VARIANTS in "
            f"{_VOCABULARY}, or remove them"
        )
    if missing:
        problems.append(f"variants {missing} are built but have no entry under `variants:`")
    return problems


def _evaluation_problems(evaluation: Any) -> list[str]:
    if not isinstance(evaluation, dict):
        return []
    problems = [
        f"evaluation.{key} is no longer a parameter: variant families and report names live "
        f"in VARIANTS in {_VOCABULARY}; remove it from your conf"
        for key in ("families", "display_names")
        if key in evaluation
    ]
    minority = evaluation.get("minority_class")
    if minority is not None and minority not in EMOTIONS:
        problems.append(f"evaluation.minority_class {minority!r} is not one of {list(EMOTIONS)}")
    test_set = evaluation.get("verdict_test_set")
    if test_set is not None and test_set not in TEST_SETS:
        problems.append(f"evaluation.verdict_test_set {test_set!r} is not one of {list(TEST_SETS)}")
    for table, columns in (evaluation.get("paper") or {}).items():
        for test_set, cells in (columns or {}).items():
            where = f"evaluation.paper.{table}.{test_set}"
            if test_set not in TEST_SETS:
                problems.append(f"{where}: {test_set!r} is not one of {list(TEST_SETS)}")
            unknown = sorted(set(cells or {}) - set(ALL_VARIANTS))
            if unknown:
                problems.append(f"{where} names unknown variants {unknown}; known: {ALL_VARIANTS}")
    return problems


def _generated_class_problems(parameters: dict[str, Any]) -> list[str]:
    """Every ``generated_classes`` list must name target classes (or be ``"all"``)."""
    named: list[tuple[str, Any]] = []
    for variant, block in (parameters.get("variants") or {}).items():
        if isinstance(block, dict):
            named.append((f"variants.{variant}", block.get("generated_classes", [])))
    if isinstance(parameters.get("dag"), dict):
        named.append(("dag", parameters["dag"].get("generated_classes", [])))
    tsne = parameters.get("tsne")
    for index, panel in enumerate(tsne.get("panels", []) if isinstance(tsne, dict) else []):
        named.append((f"tsne.panels[{index}]", panel.get("generated_classes", [])))
    return [
        f"{where}.generated_classes names {unknown}, which have no CycleGAN; use target "
        f"classes {list(TARGET_CLASSES)} or 'all'"
        for where, classes in named
        if (unknown := _unknown_targets(classes))
    ]


def _unknown_targets(classes: str | Iterable[str]) -> list[str]:
    if classes == "all":
        return []
    if isinstance(classes, str):
        return [classes]
    return [name for name in classes if name not in TARGET_CLASSES]


def _test_subset_problems(sample_imbalanced: Any) -> list[str]:
    if not isinstance(sample_imbalanced, dict) or "test_subset_fractions" not in sample_imbalanced:
        return []
    given = sample_imbalanced["test_subset_fractions"]
    if isinstance(given, dict) and set(given) == set(TEST_SUBSETS):
        return []
    return [
        f"sample_imbalanced.test_subset_fractions must give a fraction for exactly "
        f"{list(TEST_SUBSETS)} (the catalog names of the test subsets); got {given!r}"
    ]


#: Key paths whose keys are checked by what they build (dataclass fields, signatures, the
#: variant check) or are free maps (class → fraction), not by conf/base's keys.
_CHECKED_ELSEWHERE = (
    "classifier.training.", "judge.training.", "cyclegan.training.",
    "conditional_gan.training.", "conditional_gan.architecture.",
    "classifier.architecture.", "judge.architecture.", "cyclegan.architecture.",
    "variants.", "sample_imbalanced.train_fraction_per_class.",
)  # fmt: skip


def key_paths(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every key path of a parameter tree (``"a.b.c"``) → its value."""
    paths = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        paths[path] = value
        if isinstance(value, dict):
            paths.update(key_paths(value, f"{path}."))
    return paths


def _type_problem(path: str, base: Any, given: Any) -> str | None:
    """A number or a switch in conf/base must stay one (strings and lists may change form:
    ``generated_classes: all`` or a list)."""
    if isinstance(base, bool) and not isinstance(given, bool):
        return f"{path} must be true or false (conf/base: {base!r}); got {given!r}"
    if is_number(base):
        if not is_number(given):
            return f"{path} must be a number (conf/base: {base!r}); got {given!r}"
        if isinstance(base, int) and isinstance(given, float) and not given.is_integer():
            return f"{path} must be a whole number (conf/base: {base!r}); got {given!r}"
    return None


def parameter_schema_problems(parameters: dict[str, Any], base: dict[str, Any]) -> list[str]:
    """Keys conf/base does not have, numbers or switches given as something else, and
    numbers out of their range (:mod:`emotion_gan.parameter_ranges`).

    conf/base's parameters are the schema: every env and ``--params`` override only changes
    values there, so an unknown key is a typo that would otherwise be ignored, and ``abc``
    where conf/base has a number would fail deep inside a node. Top-level scalars are let
    through, since ``--params`` also carries runtime values for the catalog (``fer2013_csv``).
    """
    given, problems = key_paths(parameters), []
    for path in sorted(given):
        problems.extend(range_problems(path, given[path], base.get(path)))
        if path.startswith(_CHECKED_ELSEWHERE):
            continue
        if path in base:
            problem = _type_problem(path, base[path], given[path])
            problems.extend([problem] if problem else [])
            continue
        parent = path.rpartition(".")[0]
        if not parent and not isinstance(given[path], dict):
            continue  # a runtime value for the catalog
        if parent and parent not in base:
            continue  # its parent is reported already
        siblings = sorted(p.rpartition(".")[2] for p in base if p.rpartition(".")[0] == parent)
        problems.append(
            f"unknown parameter {path!r} (conf/base has no such key); known here: "
            f"{', '.join(siblings)}"
        )
    return problems

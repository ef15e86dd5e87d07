"""Project hooks: parameters must describe exactly the namespaces the pipelines build.

Kedro builds pipelines before it reads parameters, so the namespaces (one per target class,
one per classifier variant) are fixed in code — :data:`TARGET_CLASSES` (every emotion but the
reference class) and :data:`VARIANTS` — while their settings live in ``conf/*/parameters_*``.
Without a check, a new ``variants:`` entry or another ``reference_class`` would be silently
ignored; this hook turns such a mismatch into one clear error when the catalog is created,
before anything trains.
"""

from __future__ import annotations

from typing import Any

from kedro.framework.hooks import hook_impl

from emotion_gan.imageset import REFERENCE_CLASS


def namespace_parameter_problems(parameters: dict[str, Any]) -> list[str]:
    """What in ``parameters`` disagrees with the namespaces built in code (empty: all fine)."""
    # Imported here, not at module level: settings.py loads this module on every Kedro command,
    # and the pipeline modules pull in torch.
    from emotion_gan.pipelines.train_baseline.pipeline import VARIANTS
    from emotion_gan.pipelines.train_cyclegan_per_class.pipeline import TARGET_CLASSES

    problems = []
    cyclegan = parameters.get("cyclegan")
    if isinstance(cyclegan, dict):
        reference = cyclegan.get("reference_class", REFERENCE_CLASS)
        if reference != REFERENCE_CLASS:
            problems.append(
                f"cyclegan.reference_class is {reference!r}, but the target-class namespaces "
                f"are every emotion except {REFERENCE_CLASS!r} (TARGET_CLASSES in "
                "pipelines/train_cyclegan_per_class/pipeline.py); set it back or change "
                "REFERENCE_CLASS in emotion_gan/imageset.py"
            )
        for target in TARGET_CLASSES:
            block = parameters.get(target)
            named = block.get("target_class") if isinstance(block, dict) else None
            if named != target:
                problems.append(
                    f"namespace {target!r} needs `{target}: {{target_class: {target}}}` in "
                    f"parameters (found {block!r})"
                )
    variants = parameters.get("variants")
    if isinstance(variants, dict):
        extra = sorted(set(variants) - set(VARIANTS))
        missing = sorted(set(VARIANTS) - set(variants))
        if extra:
            problems.append(
                f"variants {extra} have parameters but no namespace: add them to VARIANTS in "
                "pipelines/train_baseline/pipeline.py (and to the evaluation), or remove them"
            )
        if missing:
            problems.append(f"variants {missing} are built but have no entry under `variants:`")
    return problems


class NamespaceParametersCheck:
    """Fails fast when parameters and namespaces disagree (see the module docstring)."""

    @hook_impl
    def after_catalog_created(self, parameters: dict[str, Any]) -> None:
        """``parameters`` is Kedro's catalog view: the whole tree sits under ``"parameters"``."""
        parameters = parameters or {}
        problems = namespace_parameter_problems(parameters.get("parameters", parameters))
        if problems:
            raise ValueError("parameters do not match the pipelines:\n- " + "\n- ".join(problems))

"""Kedro project settings (https://docs.kedro.org/en/stable/kedro_project_setup/settings.html)."""

from kedro.config import OmegaConfigLoader

CONFIG_LOADER_CLASS = OmegaConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    # An env (conf/fer2013, conf/local) overrides single nested parameters, e.g. only
    # `train_cyclegan_per_class.steps`, without restating the rest of the block.
    "merge_strategy": {"parameters": "soft"},
}

from emotion_gan.hooks import NamespaceParametersCheck, RunRollback, RunSummary  # noqa: E402

# Parameters must name exactly the namespaces the pipelines build (clear error, before
# training); a run that fails or was killed has its versions withdrawn (latest = finished).
# The last log line of a run that wrote the report names it and gives the verdict.
HOOKS = (NamespaceParametersCheck(), RunRollback(), RunSummary())

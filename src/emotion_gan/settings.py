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

from emotion_gan.hooks import (  # noqa: E402
    NamespaceParametersCheck,
    RunRollback,
    RunSummary,
    TorchThreads,
)
from emotion_gan.tracking import MlflowRunIndex, disabled_plugins  # noqa: E402

# Parameters must name exactly the namespaces the pipelines build (clear error, before
# training); a run that fails or was killed has its versions withdrawn (latest = finished).
# The last log line of a run that wrote the report names it and gives the verdict.
# Under ParallelRunner, processes × torch threads ≤ cores (EMOTION_GAN_TORCH_THREADS).
# A tracked run is indexed in the MLflow run kedro-mlflow opened (emotion_gan.tracking) and
# its id ends RunSummary's lines; EMOTION_GAN_TRACKING=0 unregisters kedro-mlflow's hooks.
_RUN_INDEX = MlflowRunIndex()
HOOKS = (
    NamespaceParametersCheck(),
    RunRollback(),
    RunSummary(tracking=_RUN_INDEX),
    TorchThreads(),
    _RUN_INDEX,
)
DISABLE_HOOKS_FOR_PLUGINS = disabled_plugins()

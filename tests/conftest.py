"""Shared fixtures: tiny in-memory image sets and throw-away copies of the Kedro project.

Kedro runs in tests happen in a copy of ``conf/`` under ``tmp_path`` so they never write into
the developer's ``data/`` and can add a small env (e.g. ``conf/tiny``) of their own.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import yaml

from emotion_gan.imageset import ImageSet
from emotion_gan.vocabulary import NUM_CLASSES

os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
# No MLflow store in tests that do not test tracking (tests/test_tracking.py switches it on).
os.environ.setdefault("EMOTION_GAN_TRACKING", "0")
# Idle OpenMP threads must not spin: tests train many tiny models back to back, and spinning
# workers made each first step up to 100× slower on a busy 2-core machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_FER2013 = PROJECT_ROOT.parent / "shared" / "data" / "fer2013" / "fer2013.csv.gz"


@pytest.fixture(autouse=True)
def single_intra_op_thread() -> Iterator[None]:
    """Run every test on one intra-op thread.

    Why: the tests train tiny models whose ops end in an OpenMP barrier each; on a loaded machine
    a descheduled worker stalls that barrier for a time slice (a 3-step CycleGAN run took ~13 s
    instead of ~0.1 s). Tiny tensors gain nothing from a second thread anyway.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def synthetic_source(total: int = 300, seed: int = 3) -> dict[str, str]:
    """Env files (for ``kedro_project``) that shrink the embedded synthetic faces sources.

    The judge's faces (``judge_faces_raw``) are rendered from another seed, as in conf/base.
    """

    def entry(name: str, seed: int) -> str:
        return (
            f"{name}:\n  type: emotion_gan.datasets.SyntheticFacesDataset\n"
            f"  total: {total}\n  seed: {seed}\n"
        )

    return {"local/catalog.yml": entry("faces_raw", seed) + entry("judge_faces_raw", seed + 1000)}


def random_imageset(
    per_class: Iterable[int] = (6,) * NUM_CLASSES,
    seed: int = 0,
    split: str = "train",
    origin: str = "real",
) -> ImageSet:
    """Random faces with ``per_class[k]`` images of class ``k`` (class-dependent mean)."""
    rng = np.random.default_rng(seed)
    labels = np.concatenate([np.full(n, k) for k, n in enumerate(per_class)]).astype(np.int64)
    base = (labels[:, None, None] * 30 + 20).astype(np.int16)
    images = np.clip(base + rng.integers(-20, 20, (len(labels), 48, 48)), 0, 255).astype(np.uint8)
    return ImageSet.from_arrays(images, labels, split=split, origin=origin, metadata={"seed": seed})


@pytest.fixture
def make_imageset() -> Callable[..., ImageSet]:
    """Factory fixture for :func:`random_imageset`."""
    return random_imageset


@pytest.fixture
def kedro_project(tmp_path: Path) -> Callable[..., Path]:
    """Return a function that copies the project's conf to ``tmp_path`` and adds an env.

    ``make(env_files={"tiny/parameters.yml": {...}})`` writes YAML files under ``conf/``.
    """
    return project_copier(tmp_path)


def project_copier(base: Path) -> Callable[..., Path]:
    """What :func:`kedro_project` returns, for a folder of a module-scoped fixture (one
    project shared by a module's tests, e.g. one ``kedro viz build`` for two checks)."""

    def make(env_files: dict[str, Any] | None = None) -> Path:
        root = base / "project"
        shutil.copytree(
            PROJECT_ROOT / "conf", root / "conf", ignore=shutil.ignore_patterns("local")
        )
        (root / "conf" / "local").mkdir()
        shutil.copy(PROJECT_ROOT / "pyproject.toml", root / "pyproject.toml")
        (root / "src").mkdir()  # the package itself is the installed one; only conf/data differ
        for layer in ("01_raw", "02_intermediate", "03_primary", "04_feature", "05_model_input",
                      "06_models", "07_model_output", "08_reporting"):  # fmt: skip
            (root / "data" / layer).mkdir(parents=True)
        for relative, content in (env_files or {}).items():
            path = root / "conf" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content if isinstance(content, str) else yaml.safe_dump(content))
        return root

    return make


@pytest.fixture(scope="session")  # stateless: module-scoped fixtures may run pipelines too
def run_kedro() -> Callable[..., dict[str, Any]]:
    """Run pipelines of a project copy through a real KedroSession (as `kedro run` does)."""

    def run(
        project: Path,
        pipelines: list[str],
        env: str | None = None,
        runtime_params: dict[str, Any] | None = None,
        load_versions: dict[str, str] | None = None,
        runner: Any = None,
    ) -> dict[str, Any]:
        from kedro.framework.session import KedroSession
        from kedro.framework.startup import bootstrap_project

        bootstrap_project(project)
        cwd = os.getcwd()
        os.chdir(project)  # relative catalog paths resolve against the project, as in the CLI
        try:
            with KedroSession.create(
                project_path=project, env=env, runtime_params=runtime_params
            ) as session:
                return session.run(
                    pipeline_names=pipelines, load_versions=load_versions or {}, runner=runner
                )
        finally:
            os.chdir(cwd)

    return run

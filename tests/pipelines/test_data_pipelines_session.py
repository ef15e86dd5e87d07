"""ingest + sample_imbalanced through a real KedroSession: versions, --load-versions, real data."""

import gzip

import numpy as np
import pytest

from emotion_gan.datasets import ImageSetDataset
from tests.conftest import SHARED_FER2013, synthetic_source

TINY_SYNTHETIC = synthetic_source(total=400, seed=1)


def _load(project, name, version=None, root="data"):
    path = project / root / "05_model_input" / f"{name}.npz"
    from kedro.io import Version

    return ImageSetDataset(filepath=str(path), version=Version(version, None)).load()


def test_two_runs_make_two_versions_and_load_versions_reproduces(kedro_project, run_kedro):
    project = kedro_project(TINY_SYNTHETIC)
    # Second run samples differently, so versions are distinguishable.
    run_kedro(project, ["ingest", "sample_imbalanced"])
    (project / "conf" / "local" / "parameters.yml").write_text(
        "sample_imbalanced:\n  sample_seed: 99\n"
    )
    run_kedro(project, ["ingest", "sample_imbalanced"])
    versions = sorted(p.name for p in (project / "data/05_model_input/train_sample.npz").iterdir())
    assert len(versions) == 2
    first, second = _load(project, "train_sample", versions[0]), _load(project, "train_sample")
    assert first.metadata["sample_seed"] == 2018 and second.metadata["sample_seed"] == 99
    for name in ("test_7pct", "test_14pct", "test_full"):
        assert len(list((project / f"data/05_model_input/{name}.npz").iterdir())) == 2
    assert len(list((project / "data/02_intermediate/faces.npz").iterdir())) == 2

    # Re-run the sampling from the *first* version of `faces` with the first run's seed.
    (project / "conf" / "local" / "parameters.yml").write_text("")
    faces_versions = sorted(p.name for p in (project / "data/02_intermediate/faces.npz").iterdir())
    run_kedro(project, ["sample_imbalanced"], load_versions={"faces": faces_versions[0]})
    reproduced = _load(project, "train_sample")
    np.testing.assert_array_equal(reproduced.images, first.images)
    np.testing.assert_array_equal(reproduced.labels, first.labels)


def test_fer2013_env_with_runtime_csv_path(kedro_project, run_kedro, tmp_path):
    rng = np.random.default_rng(0)
    lines = ["emotion,pixels,Usage"]
    for i in range(140):
        usage = ("Training", "Training", "PublicTest", "PrivateTest")[i % 4]
        lines.append(f"{i % 7},{' '.join(map(str, rng.integers(0, 256, 2304)))},{usage}")
    csv = tmp_path / "mini_fer.csv.gz"
    csv.write_bytes(gzip.compress("\n".join(lines).encode()))
    project = kedro_project()
    run_kedro(
        project, ["ingest", "sample_imbalanced"], env="fer2013",
        runtime_params={"fer2013_csv": str(csv)},
    )  # fmt: skip
    # The fer2013 env keeps its versions apart from the embedded data's (conf/fer2013/globals.yml).
    sample = _load(project, "train_sample", root="data/fer2013")
    full = _load(project, "test_full", root="data/fer2013")
    assert not (project / "data" / "05_model_input" / "train_sample.npz").exists()
    assert len(sample) == 14  # 20 % of 10 training images per class
    assert sorted(set(full.split)) == ["private_test", "public_test"] and len(full) == 70


@pytest.mark.skipif(not SHARED_FER2013.exists(), reason=f"real FER2013 not at {SHARED_FER2013}")
def test_real_fer2013_end_to_end(kedro_project, run_kedro):
    project = kedro_project()
    run_kedro(
        project, ["ingest", "sample_imbalanced"], env="fer2013",
        runtime_params={"fer2013_csv": str(SHARED_FER2013)},
    )  # fmt: skip
    sample = _load(project, "train_sample", root="data/fer2013")
    full = _load(project, "test_full", root="data/fer2013")
    training = np.array([3995, 436, 4097, 7215, 4830, 3171, 4965])
    assert np.bincount(sample.labels).tolist() == np.round(training * 0.2).astype(int).tolist()
    assert np.bincount(full.labels).tolist() == [958, 111, 1024, 1774, 1247, 831, 1233]
    assert len(_load(project, "test_7pct", root="data/fer2013")) == round(0.07 * 35887)
    assert len(_load(project, "test_14pct", root="data/fer2013")) == round(0.14 * 35887)

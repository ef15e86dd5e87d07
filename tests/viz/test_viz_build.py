"""`kedro viz build --include-previews` exports the project's pipelines with their nodes."""

import base64
import json
import os
import subprocess
import sys

from tests.conftest import PROJECT_ROOT, synthetic_source

TINY = synthetic_source()


def test_viz_build_contains_the_data_pipeline_nodes(kedro_project, run_kedro):
    project = kedro_project(TINY)
    run_kedro(project, ["ingest", "sample_imbalanced"])  # so previews have data to show
    kedro = os.path.join(os.path.dirname(sys.executable), "kedro")
    result = subprocess.run(
        [kedro, "viz", "build", "--include-previews"],
        cwd=project, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "DO_NOT_TRACK": "1",
             "PYTHONPATH": str(PROJECT_ROOT / "src")},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    main = json.loads((project / "build" / "api" / "main").read_text())
    names = {node["name"] for node in main["nodes"]}
    assert {"assign_train_test_split", "sample_training_classes", "draw_test_subsets"} <= names
    assert {"train_sample", "faces", "test_7pct"} <= names
    # The ImageSet preview (a PNG grid of faces) is exported with the dataset node.
    node_id = next(n["id"] for n in main["nodes"] if n["name"] == "train_sample")
    details = json.loads((project / "build" / "api" / "nodes" / node_id).read_text())
    assert details.get("preview_type") == "ImagePreview"
    assert base64.b64decode(details["preview"]).startswith(b"\x89PNG")
    pipelines = {p["id"] for p in main["pipelines"]}
    assert {"ingest", "sample_imbalanced", "full"} <= pipelines

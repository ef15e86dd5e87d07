"""`kedro viz build --include-previews` exports the project's pipelines with their nodes, and the
exported site renders in a real browser: the graph, and an ImageSet preview showing faces."""

import base64
import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import IMAGES_JS, chromium_page, screenshot
from tests.conftest import PROJECT_ROOT, project_copier, synthetic_source

TINY = synthetic_source()


@pytest.fixture(scope="module")
def build(tmp_path_factory, run_kedro) -> Path:
    """One tiny project with data (so previews have faces to show), built once for the module."""
    project = project_copier(tmp_path_factory.mktemp("viz"))(TINY)
    run_kedro(project, ["ingest", "sample_imbalanced"])
    kedro = os.path.join(os.path.dirname(sys.executable), "kedro")
    result = subprocess.run(
        [kedro, "viz", "build", "--include-previews"],
        cwd=project, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "DO_NOT_TRACK": "1",
             "PYTHONPATH": str(PROJECT_ROOT / "src")},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return project / "build"


def _train_sample(build: Path) -> tuple[str, dict]:
    main = json.loads((build / "api" / "main").read_text())
    node_id = next(n["id"] for n in main["nodes"] if n["name"] == "train_sample")
    return node_id, json.loads((build / "api" / "nodes" / node_id).read_text())


def test_viz_build_contains_the_data_pipeline_nodes(build):
    main = json.loads((build / "api" / "main").read_text())
    names = {node["name"] for node in main["nodes"]}
    assert {"assign_train_test_split", "sample_training_classes", "draw_test_subsets"} <= names
    assert {"train_sample", "faces", "test_7pct"} <= names
    # The ImageSet preview (a PNG grid of faces) is exported with the dataset node.
    _, details = _train_sample(build)
    assert details.get("preview_type") == "ImagePreview"
    assert base64.b64decode(details["preview"]).startswith(b"\x89PNG")
    pipelines = {p["id"] for p in main["pipelines"]}
    assert {"ingest", "sample_imbalanced", "full"} <= pipelines


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # one line per request otherwise
        pass


@pytest.fixture
def served(build) -> Iterator[str]:
    """The build folder on a free localhost port (what `python -m http.server` would do)."""
    handler = functools.partial(_QuietHandler, directory=str(build))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_built_site_renders_the_graph_and_a_face_preview(build, served, tmp_path):
    _, details = _train_sample(build)
    with chromium_page(tmp_path) as page:
        # offline: the page's web fonts (fonts.googleapis.com) are refused, not waited for
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith(served) else r.abort()
        )
        page.goto(f"{served}?pid=sample_imbalanced", wait_until="load")
        nodes = page.locator(".pipeline-flowchart__nodes .pipeline-node")
        nodes.first.wait_for(state="visible")
        shown = nodes.evaluate_all("ns => ns.map(n => n.textContent)")  # SVG: no innerText
        nodes.filter(has_text="train_sample").first.click()
        preview = page.locator(".pipeline-metadata__plot-image")
        preview.wait_for(state="visible")
        preview.evaluate("img => img.decode()")  # wait until the PNG is decoded
        (image,) = preview.evaluate_all(IMAGES_JS)
        source = preview.get_attribute("src")
        hints = page.locator(".feature-hints__close")  # the first-visit tour covers the panel
        if hints.count():
            hints.first.click()
        screenshot(page, tmp_path, "viz_build.png")
    assert {"train_sample", "faces", "test_7pct", "sample_training_classes"} <= {
        text.strip() for text in shown
    }  # the sample_imbalanced graph, datasets and nodes alike
    assert image["complete"] and image["width"] > 0, image
    assert source == f"data:image/png;base64,{details['preview']}"  # the face grid of the export

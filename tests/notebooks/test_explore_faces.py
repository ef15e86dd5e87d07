"""The catalog-loading notebook executes top to bottom in a fresh project copy."""

import shutil

import nbformat
from nbclient import NotebookClient

from tests.conftest import PROJECT_ROOT, synthetic_source

TINY = synthetic_source()


def test_explore_faces_notebook_runs_and_shows_counts_and_grid(kedro_project):
    project = kedro_project(TINY)
    notebooks = project / "notebooks"
    notebooks.mkdir()
    shutil.copy(PROJECT_ROOT / "notebooks" / "explore_faces.ipynb", notebooks)
    notebook = nbformat.read(notebooks / "explore_faces.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=300, resources={"metadata": {"path": str(notebooks)}}
    ).execute()

    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    html = "".join(out.get("data", {}).get("text/html", "") for out in outputs)
    assert "train share %" in html and "disgust" in html  # the class-count table
    assert any("image/png" in out.get("data", {}) for out in outputs)  # the face grid
    text = "".join(out.get("text", "") for out in outputs)
    assert "1 version(s)" in text

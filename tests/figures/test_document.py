"""build_document: one Markdown text → the same Markdown, an HTML page, and the PNG files."""

import base64
import io

import pytest
from PIL import Image

from emotion_gan.figures.document import build_document, figure_path

MARKDOWN = (
    "# A <report> & more\n\n**Table** — ours (paper)\n\n| Class | baseline |\n|---|---|\n"
    "| disgust | 85.7 ± 0.0 (73.91) |\n\n<script>alert(1)</script>\n\n"
    f"![Confusion matrices]({figure_path('confusion_matrices')})\n"
)


def test_the_page_has_real_tables_escaped_text_and_embedded_figures():
    image = Image.new("RGB", (30, 20), "blue")
    document = build_document(MARKDOWN, {"confusion_matrices": image})
    assert document.markdown == MARKDOWN  # linked, not embedded
    assert list(document.figures) == ["figures/confusion_matrices.png"]
    page = document.html
    assert (
        page.startswith("<!doctype html>") and "<title>A &lt;report&gt; &amp; more</title>" in page
    )
    assert "<th>Class</th>" in page and "<td>85.7 ± 0.0 (73.91)</td>" in page
    assert "<script>" not in page  # raw HTML in the text is shown, never run
    (encoded,) = [part.split('"')[0] for part in page.split('src="data:image/png;base64,')[1:]]
    assert Image.open(io.BytesIO(base64.b64decode(encoded))).size == (30, 20)
    assert base64.b64decode(encoded) == document.figures["figures/confusion_matrices.png"]


def test_a_linked_figure_that_was_not_given_is_refused():
    with pytest.raises(ValueError, match=r"links the figure 'figures/confusion_matrices.png'"):
        build_document(MARKDOWN, {})

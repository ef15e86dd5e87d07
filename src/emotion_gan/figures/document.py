"""A report in the two forms a reader opens: Markdown with its figures as files, and one HTML page.

Why both from one Markdown text: the report's structure (sections, tables, the paper's numbers
beside ours) is written once, by the pipeline's renderer; the HTML page is that Markdown
converted (``markdown-it-py``, CommonMark + tables), so the two cannot disagree. The Markdown
links its figures as ``figures/<name>.png`` beside it (it stays small and renders on a code
host); the HTML embeds the same PNGs as data URIs, so the page is one self-contained file that
opens in any browser, mailed or copied on its own.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from PIL import Image

#: The folder, beside the Markdown file, that holds its figures.
FIGURES_FOLDER = "figures"

_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 78rem; margin: 2rem auto;
       padding: 0 1.5rem; color: #1b1b1b; }
h1, h2 { line-height: 1.2; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 1rem 0; display: block; overflow-x: auto;
        font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; white-space: nowrap; }
th { background: #f2f2f2; } tbody tr:nth-child(even) { background: #fafafa; }
img { max-width: 100%; height: auto; display: block; margin: 0.5rem 0 1.5rem; }
code { background: #f2f2f2; padding: 0 0.2rem; }
"""


@dataclass(frozen=True)
class ReportDocument:
    """One report: its Markdown, the same as an HTML page, and the figures the Markdown links.

    ``figures`` maps a path relative to the Markdown file (``figures/<name>.png``) to PNG bytes.
    """

    markdown: str
    html: str
    figures: Mapping[str, bytes]


def figure_path(name: str) -> str:
    """Where the figure called ``name`` (its catalog name) sits, relative to the Markdown."""
    return f"{FIGURES_FOLDER}/{name}.png"


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _converter(figures: Mapping[str, bytes]) -> MarkdownIt:
    """CommonMark + tables; raw HTML in the text is escaped; linked figures become data URIs."""
    converter = MarkdownIt("commonmark", {"html": False}).enable("table")
    default_image = converter.renderer.rules["image"]

    def image(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        source = tokens[idx].attrGet("src")
        if source not in figures:
            raise ValueError(
                f"the report links the figure {source!r}, which it was not given (figures: "
                f"{sorted(figures)}); link figures with figure_path(name) and pass each image."
            )
        encoded = base64.b64encode(figures[source]).decode("ascii")
        tokens[idx].attrSet("src", f"data:image/png;base64,{encoded}")
        return default_image(tokens, idx, options, env)

    converter.add_render_rule("image", image)
    return converter


def _title(markdown: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line.removeprefix("# ").strip()
    return "Report"


def build_document(markdown: str, images: Mapping[str, Image.Image]) -> ReportDocument:
    """The report of ``markdown``, whose figures are ``images`` (name → image, linked with
    :func:`figure_path`): the Markdown unchanged, the HTML page, and the PNG files."""
    figures = {figure_path(name): _png(image) for name, image in images.items()}
    body = _converter(figures).render(markdown)
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(_title(markdown))}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )
    return ReportDocument(markdown=markdown, html=page, figures=figures)

"""``ReportFolderDataset``: one versioned folder per report — report.md, report.html, figures/.

Why a folder, not two text datasets and the figures' own entries: the Markdown links its
figures by relative path (``figures/<name>.png``), so the three must move, version and roll
back together — one folder under one run timestamp. It is written like every other version of
the project (:mod:`emotion_gan.datasets._base`): filled in a temporary folder beside the target
and renamed into place, so a crash never leaves a half-written report that looks finished.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from kedro.io.core import DatasetError, get_filepath_str

from emotion_gan.datasets._base import AtomicVersionedDataset
from emotion_gan.figures.document import FIGURES_FOLDER, ReportDocument

#: The two forms of the report inside its folder (the run summary names both).
MARKDOWN_FILE = "report.md"
HTML_FILE = "report.html"


class ReportFolderDataset(AtomicVersionedDataset[ReportDocument, ReportDocument]):
    """Save/load a :class:`~emotion_gan.figures.document.ReportDocument` as a folder.

    Example catalog entry (saved as ``report/<timestamp>/report/{report.md, report.html,
    figures/*.png}``)::

        report:
          type: emotion_gan.datasets.ReportFolderDataset
          filepath: data/08_reporting/report
          versioned: true
    """

    def save(self, data: ReportDocument) -> None:
        if not isinstance(data, ReportDocument):
            raise DatasetError(
                f"ReportFolderDataset {self._filepath} can only save a ReportDocument, got "
                f"{type(data).__name__}"
            )
        files = {MARKDOWN_FILE: data.markdown.encode(), HTML_FILE: data.html.encode()}
        for relative, payload in data.figures.items():
            parts = PurePosixPath(relative).parts
            if len(parts) != 2 or parts[0] != FIGURES_FOLDER or parts[1] in ("", ".", ".."):
                raise DatasetError(
                    f"ReportFolderDataset {self._filepath}: figure path {relative!r} is not "
                    f"'{FIGURES_FOLDER}/<name>.png'; build the document with "
                    "emotion_gan.figures.document.build_document."
                )
            files[relative] = payload
        self._write_atomically(files)

    def load(self) -> ReportDocument:
        path = get_filepath_str(self._get_load_path(), self._protocol)
        try:
            markdown = self._fs.cat_file(f"{path}/{MARKDOWN_FILE}").decode()
            page = self._fs.cat_file(f"{path}/{HTML_FILE}").decode()
        except FileNotFoundError:
            if self._fs.exists(path):
                raise DatasetError(
                    f"{path} is not a report folder: it lacks {MARKDOWN_FILE} or {HTML_FILE}. "
                    "Delete that version folder and re-run the pipeline that writes it."
                ) from None
            raise DatasetError(self._missing_version_message(path)) from None
        figures = {
            f"{FIGURES_FOLDER}/{PurePosixPath(found).name}": self._fs.cat_file(found)
            for found in sorted(self._fs.glob(f"{path}/{FIGURES_FOLDER}/*.png"))
        }
        return ReportDocument(markdown=markdown, html=page, figures=figures)

    def _describe(self) -> dict[str, Any]:
        return {**super()._describe(), "files": [MARKDOWN_FILE, HTML_FILE, f"{FIGURES_FOLDER}/"]}

"""ReportFolderDataset: one folder per version, written atomically, umask modes, clear errors."""

import os
import stat

import pytest
from kedro.io import DatasetError, Version
from PIL import Image

from emotion_gan.datasets import ReportFolderDataset
from emotion_gan.figures.document import ReportDocument, build_document, figure_path

V1, V2 = "2026-01-01T00.00.00.000Z", "2026-01-02T00.00.00.000Z"


def _document(text: str = "# Report\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"):
    markdown = text + f"\n![a square]({figure_path('square')})\n"
    return build_document(markdown, {"square": Image.new("RGB", (12, 7), "red")})


def test_round_trip_writes_markdown_html_and_figures_in_one_version_folder(tmp_path):
    document = _document()
    ReportFolderDataset(filepath=str(tmp_path / "report"), version=Version(None, V1)).save(document)
    folder = tmp_path / "report" / V1 / "report"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [
        "figures", "figures/square.png", "report.html", "report.md"]  # fmt: skip
    assert (folder / "report.md").read_text() == document.markdown
    assert Image.open(folder / "figures" / "square.png").size == (12, 7)
    assert ReportFolderDataset(filepath=str(tmp_path / "report"), version=Version(None, None)).load(
    ) == document  # fmt: skip


def test_versions_accumulate_and_an_earlier_one_loads(tmp_path):
    path = str(tmp_path / "report")
    ReportFolderDataset(filepath=path, version=Version(None, V1)).save(_document("# First\n"))
    ReportFolderDataset(filepath=path, version=Version(None, V2)).save(_document("# Second\n"))
    earlier = ReportFolderDataset(filepath=path, version=Version(V1, None)).load()
    latest = ReportFolderDataset(filepath=path, version=Version(None, None)).load()
    assert earlier.markdown.startswith("# First") and latest.markdown.startswith("# Second")
    assert "<title>Second</title>" in latest.html


def test_a_failed_write_leaves_no_partial_folder_and_keeps_earlier_versions(tmp_path, monkeypatch):
    path = tmp_path / "report"
    ReportFolderDataset(filepath=str(path), version=Version(None, V1)).save(_document())

    def crash(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)  # the rename into place
    with pytest.raises(DatasetError, match="disk full"):
        ReportFolderDataset(filepath=str(path), version=Version(None, V2)).save(_document())
    assert list((path / V2).iterdir()) == []  # no temporary folder, no half a report
    assert ReportFolderDataset(filepath=str(path), version=Version(V1, None)).load().figures


def test_the_folder_and_its_files_get_the_umask_modes(tmp_path):
    old = os.umask(0o027)
    try:
        ReportFolderDataset(filepath=str(tmp_path / "r"), version=Version(None, V1)).save(
            _document()
        )
    finally:
        os.umask(old)
    folder = tmp_path / "r" / V1 / "r"
    modes = {folder: 0o750, folder / "figures": 0o750, folder / "report.html": 0o640,
             folder / "figures" / "square.png": 0o640}  # fmt: skip
    for path, mode in modes.items():
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


def test_a_stale_temporary_folder_is_removed_by_the_next_save(tmp_path):
    stale = tmp_path / "report" / V1 / ".tmp-killed.part"
    (stale / "figures").mkdir(parents=True)
    os.utime(stale, (1, 1))  # written long ago by a killed run
    ReportFolderDataset(filepath=str(tmp_path / "report"), version=Version(None, V2)).save(
        _document()
    )
    assert not stale.exists()


def test_bad_input_and_missing_versions_are_named(tmp_path):
    dataset = ReportFolderDataset(filepath=str(tmp_path / "report"), version=Version(None, V1))
    with pytest.raises(DatasetError, match="can only save a ReportDocument, got str"):
        dataset.save("# a Markdown string")
    escaping = ReportDocument(markdown="", html="", figures={"../x.png": b""})
    with pytest.raises(DatasetError, match=r"figure path '../x.png' is not 'figures/<name>.png'"):
        dataset.save(escaping)
    ReportFolderDataset(filepath=str(tmp_path / "report"), version=Version(None, V2)).save(
        _document()
    )
    with pytest.raises(DatasetError, match=rf"Versions of .*report that do: {V2}"):
        ReportFolderDataset(filepath=str(tmp_path / "report"), version=Version(V1, None)).load()
    (tmp_path / "report" / V2 / "report" / "report.html").unlink()
    with pytest.raises(DatasetError, match="is not a report folder: it lacks report.md or"):
        ReportFolderDataset(filepath=str(tmp_path / "report"), version=Version(V2, None)).load()

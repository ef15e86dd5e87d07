"""Reader for FER2013 in the Kaggle layout (``emotion,pixels,Usage``; plain or ``.gz``).

Why a byte-level parser: the file holds 35,887 rows × 2,304 space-separated integers (≈ 83 M
numbers in ≈ 290 MB). Parsing the whole buffer with numpy (no per-row Python) validates every
row in the same passes, so a malformed file fails with the line number and the fault instead
of producing silently shifted images. Speed against the usual per-row loop is measured by
``bench/ingest_fer2013.py`` (docs/benchmarks.md).
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from kedro.io import AbstractDataset, DatasetError

from emotion_gan.imageset import ImageSet
from emotion_gan.vocabulary import EMOTIONS, IMAGE_SIZE

COLUMNS = ("emotion", "pixels", "Usage")
USAGES = ("Training", "PublicTest", "PrivateTest")
PIXELS_PER_IMAGE = IMAGE_SIZE * IMAGE_SIZE
_NEWLINE, _COMMA, _SPACE, _QUOTE, _CR = 10, 44, 32, 34, 13
_DIGIT, _SEPARATOR, _OTHER = 0, 1, 2
_ROWS_PER_CHUNK = 512
#: Byte → kind inside a pixel field: digits, separators (space; quotes of a quoted field), other.
_BYTE_KIND = np.full(256, _OTHER, dtype=np.uint8)
_BYTE_KIND[ord("0") : ord("9") + 1] = _DIGIT
_BYTE_KIND[[_SPACE, _QUOTE]] = _SEPARATOR


class Fer2013FormatError(DatasetError):
    """The CSV does not follow the Kaggle FER2013 layout; the message names the line."""


def parse_fer2013_csv(data: bytes, source: str = "<bytes>") -> ImageSet:
    """Parse the bytes of a FER2013 CSV into an ImageSet whose ``split`` is each row's Usage.

    One function of ~70 lines on purpose: every check is one vectorised pass over the same
    line-offset arrays, and splitting it would hand those arrays between helpers.

    Raises:
        Fer2013FormatError: naming ``source``, the 1-based line and the fault (missing column,
            wrong pixel count, non-integer or out-of-range pixel, label outside 0–6, unknown
            Usage, empty file).
    """
    if not data.strip():
        raise Fer2013FormatError(
            f"{source}: the file is empty; expected a header `emotion,pixels,Usage`"
        )
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == _NEWLINE)
    line_starts = np.concatenate(([0], newlines + 1))
    line_ends = np.concatenate((newlines, [len(buf)]))
    nonblank = line_ends - line_starts > (buf[np.maximum(line_ends - 1, 0)] == _CR)
    nonblank &= line_ends > line_starts
    line_no = np.flatnonzero(nonblank) + 1  # 1-based line numbers of non-blank lines
    line_starts, line_ends = line_starts[nonblank], line_ends[nonblank]
    # utf-8-sig: a header saved by Excel & co. starts with a byte-order mark.
    header = bytes(data[line_starts[0] : line_ends[0]]).decode("utf-8-sig", "replace").strip()
    names = [name.strip().strip('"') for name in header.split(",")]
    missing = [c for c in COLUMNS if c not in names]
    if missing or len(names) != len(COLUMNS):
        raise Fer2013FormatError(
            f"{source}: line 1 (header) has columns {_quoted(names)}; expected exactly "
            f"{list(COLUMNS)}" + (f" — missing {missing}" if missing else "")
        )
    starts, ends, line_no = line_starts[1:], line_ends[1:], line_no[1:]
    if len(starts) == 0:
        raise Fer2013FormatError(f"{source}: the file has a header but no data rows")
    ends = ends - (buf[ends - 1] == _CR)  # tolerate CRLF line endings

    commas = np.flatnonzero(buf == _COMMA)
    first = np.searchsorted(commas, starts)
    count = np.searchsorted(commas, ends) - first
    if (bad := np.flatnonzero(count != len(COLUMNS) - 1)).size:
        i = bad[0]
        raise Fer2013FormatError(
            f"{source}: line {line_no[i]} has {count[i] + 1} fields; expected {len(COLUMNS)} "
            f"({','.join(names)})"
        )
    bounds = [starts, commas[first] + 1, commas[first + 1] + 1]  # field starts
    field_end = [commas[first], commas[first + 1], ends]
    col = {name: k for k, name in enumerate(names)}

    labels = _parse_labels(data, bounds[col["emotion"]], field_end[col["emotion"]], line_no, source)
    usage = _parse_usage(data, bounds[col["Usage"]], field_end[col["Usage"]], line_no, source)
    # Rows in chunks: the temporaries (token ends, gathered bytes) then stay cache-sized instead
    # of hundreds of MB that must be allocated and first touched.
    lo, hi = bounds[col["pixels"]], field_end[col["pixels"]]
    pixels = np.concatenate(
        [
            _parse_pixels(buf, lo[r], hi[r], line_no[r], source)
            for start in range(0, len(lo), _ROWS_PER_CHUNK)
            for r in [slice(start, start + _ROWS_PER_CHUNK)]
        ]
    )
    return ImageSet(
        pixels.reshape(-1, IMAGE_SIZE, IMAGE_SIZE),
        labels,
        usage,
        np.full(len(labels), "real"),
        {"source": "fer2013", "path": source},
    )


def _quoted(names: list[str], limit: int = 40) -> str:
    """Header names for a message, each cut to ``limit`` characters and at most 5 of them.

    A header-less or CR-only file has a whole row (or file) as its "header": quoting it whole
    wrote a 9.5 MB log line.
    """
    shown = [name if len(name) <= limit else f"{name[:limit]}… ({len(name)} chars)" for name in
             names[:5]]  # fmt: skip
    return repr(shown) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _parse_labels(
    data: bytes, lo: np.ndarray, hi: np.ndarray, line_no: np.ndarray, source: str
) -> np.ndarray:
    """Emotion labels: one ASCII digit 0–6 per row (the Kaggle file never has more)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    ok = (hi - lo == 1) & (buf[lo] >= ord("0")) & (buf[lo] < ord("0") + len(EMOTIONS))
    if (bad := np.flatnonzero(~ok)).size:
        i = bad[0]
        text = bytes(data[lo[i] : hi[i]]).decode("utf-8", "replace")
        raise Fer2013FormatError(
            f"{source}: line {line_no[i]}: emotion label {text!r} is not an integer in 0–6 "
            f"({', '.join(f'{k} {e}' for k, e in enumerate(EMOTIONS))})"
        )
    return (buf[lo] - ord("0")).astype(np.int64)


def _parse_usage(
    data: bytes, lo: np.ndarray, hi: np.ndarray, line_no: np.ndarray, source: str
) -> np.ndarray:
    """Usage column: one of Training / PublicTest / PrivateTest (the split is kept per image)."""
    usage = np.array(
        [
            data[a:b].decode("ascii", "replace").strip().strip('"')
            for a, b in zip(lo, hi, strict=True)
        ]
    )
    if (bad := np.flatnonzero(~np.isin(usage, USAGES))).size:
        i = bad[0]
        raise Fer2013FormatError(
            f"{source}: line {line_no[i]}: unknown Usage {str(usage[i])!r}; "
            f"expected one of {USAGES}"
        )
    return usage


def _parse_pixels(
    buf: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    line_no: np.ndarray,
    source: str,
) -> np.ndarray:
    """All pixel fields at once: runs of digits are tokens, anything else must be a separator.

    (~60 lines: each pass reuses the previous pass's index arrays; kept together for that.)

    Every pass is a flat numpy operation over the chunk (no per-row Python). Digits outside
    the pixel fields (labels, in any column order) are masked out.
    """
    # Start 3 bytes early (the row's "<label>," and the newline before it, never pixel digits,
    # since a comma ends every label) so each token can be read back 3 digits without a copy.
    first, last = int(lo[0]) - 3, int(hi[-1])
    region = buf[first:last]
    kind = _BYTE_KIND[region]  # one table lookup classifies every byte
    bad = np.flatnonzero(kind == _OTHER) + first  # commas, Usage, newlines … and real faults
    row = np.searchsorted(lo, bad, side="right") - 1
    if (inside := np.flatnonzero((row >= 0) & (bad < hi[np.maximum(row, 0)]))).size:
        pos, row = bad[inside[0]], row[inside[0]]
        raise Fer2013FormatError(
            f"{source}: line {line_no[row]}: pixel field holds {chr(buf[pos])!r}, which is not "
            "part of a non-negative integer; pixels must be 2304 space-separated integers 0–255"
        )
    # Only digits inside this chunk's pixel fields are pixels: the region also holds the
    # label (and, for other column orders, the neighbouring rows' labels at its edges).
    edges = np.zeros(len(region) + 1, np.int8)
    edges[lo - first] += 1
    edges[hi - first] -= 1
    digit = (kind == _DIGIT) & (np.cumsum(edges[:-1], dtype=np.int8) > 0)
    # A token ends where a digit is followed by a non-digit; one index array (token ends) and
    # one gather of the 4 bytes up to each end give every pixel value.
    digit[:-1] &= ~digit[1:]
    tok_end = np.flatnonzero(digit)
    per_row = np.diff(np.searchsorted(tok_end, np.append(lo - first, last - first)))
    if (bad := np.flatnonzero(per_row != PIXELS_PER_IMAGE)).size:
        i = bad[0]
        raise Fer2013FormatError(
            f"{source}: line {line_no[i]} has {per_row[i]} pixels; expected {PIXELS_PER_IMAGE} "
            f"({IMAGE_SIZE}×{IMAGE_SIZE})"
        )
    tok_end -= 3
    window = np.lib.stride_tricks.as_strided(region, (len(region) - 3, 4), (1, 1))[tok_end]
    window -= np.uint8(48)  # bytes → digit values; non-digits become ≥ 10
    is_digit = window < 10
    tens = is_digit[:, 2]
    hundreds = tens & is_digit[:, 1]
    pixels = window[:, 3].astype(np.uint16)
    pixels += (window[:, 2] * tens).astype(np.uint16) * np.uint16(10)
    pixels += (window[:, 1] * hundreds).astype(np.uint16) * np.uint16(100)
    if (bad := np.flatnonzero((hundreds & is_digit[:, 0]) | (pixels > 255))).size:
        end = tok_end[bad[0]] + 4
        begin = end - 1
        while begin > 0 and _BYTE_KIND[region[begin - 1]] == _DIGIT:
            begin -= 1
        row = np.searchsorted(lo - first, begin, side="right") - 1
        text = bytes(region[begin:end]).decode()
        raise Fer2013FormatError(
            f"{source}: line {line_no[row]}: pixel value {text} is out of range 0–255"
        )
    return pixels.astype(np.uint8).reshape(-1, PIXELS_PER_IMAGE)


_GZIP_MAGIC = b"\x1f\x8b"


def _gunzip_every_member(raw: bytes, path: Path) -> bytes:
    """Decompress every member of a gzip file (``pigz`` output, concatenated ``.gz`` parts).

    ``zlib.decompress`` stops silently after the first member, which read 1,000 of 35,887 rows
    of a valid multi-member file. Bytes after the last member that do not start another member
    are refused by name rather than ignored.
    """
    parts, rest, member = [], raw, 0
    while rest:
        if rest[:2] != _GZIP_MAGIC:
            raise DatasetError(
                f"{path}: {len(rest)} bytes of trailing garbage after gzip member {member} "
                "(not another gzip member); the file is damaged — re-download or re-compress it"
            )
        stream = zlib.decompressobj(wbits=31)
        try:
            parts.append(stream.decompress(rest))
            parts.append(stream.flush())
        except zlib.error as exc:
            raise DatasetError(
                f"{path} looks gzip-compressed but member {member + 1} cannot be decompressed: "
                f"{exc}"
            ) from exc
        if not stream.eof:
            raise DatasetError(f"{path}: gzip member {member + 1} is truncated; re-download it")
        rest, member = stream.unused_data, member + 1
    return b"".join(parts)


def read_fer2013(path: str | Path) -> ImageSet:
    """Read a FER2013 CSV (``.csv`` or ``.csv.gz``) from disk, recording its sha256 for lineage."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(
            f"FER2013 file not found: {path}. Download the Kaggle fer2013.csv (or .csv.gz) and put "
            "it in data/01_raw/, or pass its path: kedro run --env fer2013 --params "
            "fer2013_csv=/path/to/fer2013.csv.gz"
        )
    raw = path.read_bytes()
    data = _gunzip_every_member(raw, path) if raw[:2] == _GZIP_MAGIC else raw
    images = parse_fer2013_csv(data, str(path))
    images.metadata["sha256"] = hashlib.sha256(raw).hexdigest()
    return images


class Fer2013Dataset(AbstractDataset[None, ImageSet]):
    """Load-only Kedro dataset for the Kaggle FER2013 CSV; ``split`` = each row's Usage.

    Example (conf/fer2013/catalog.yml)::

        faces_raw:
          type: emotion_gan.datasets.Fer2013Dataset
          filepath: ${runtime_params:fer2013_csv, data/01_raw/fer2013.csv.gz}
    """

    def __init__(self, *, filepath: str, metadata: dict[str, Any] | None = None) -> None:
        self._filepath = PurePosixPath(filepath)
        self.metadata = metadata

    def load(self) -> ImageSet:
        return read_fer2013(self._filepath)

    def save(self, data: ImageSet) -> None:
        raise DatasetError("Fer2013Dataset is read-only: the raw CSV is never overwritten")

    def file_sha256(self) -> str | None:
        """The file's sha256 (the digest :func:`read_fer2013` records), ``None`` if absent.

        Why streamed: a run's experiment tracking tags its data source without the ≈ 290 MB
        read and parse that :meth:`load` costs (1 MiB chunks; memory stays flat).
        """
        path = Path(self._filepath)
        if not path.is_file():
            return None
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath)}

    def _exists(self) -> bool:
        return Path(self._filepath).is_file()

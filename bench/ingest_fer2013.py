"""Benchmark: the project's FER2013 reader vs a naive per-row parse, in the same run.

Usage: python bench/ingest_fer2013.py [path/to/fer2013.csv.gz]
Both start from the same decompressed bytes; the project's time also includes decompression
(as the catalog pays it), so the ratio is conservative. Last line:
``ingest_fer2013: <seconds> s, <ratio>x vs per-row``.
"""

from __future__ import annotations

import csv
import io
import sys
import time
import zlib
from pathlib import Path

import numpy as np

from emotion_gan.datasets.fer2013 import read_fer2013

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "fer2013" / "fer2013.csv.gz"


def naive_per_row(text: str) -> np.ndarray:
    """The usual tutorial loop: one ``np.array(row.split())`` per CSV row."""
    reader = csv.DictReader(io.StringIO(text))
    return np.stack(
        [np.array(row["pixels"].split(), dtype=np.uint8).reshape(48, 48) for row in reader]
    )


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    raw = path.read_bytes()
    text = zlib.decompress(raw, wbits=31).decode() if raw[:2] == b"\x1f\x8b" else raw.decode()

    start = time.perf_counter()
    naive = naive_per_row(text)
    naive_s = time.perf_counter() - start

    timings = []
    for _ in range(3):
        start = time.perf_counter()
        faces = read_fer2013(path)
        timings.append(time.perf_counter() - start)
    project_s = min(timings)

    assert np.array_equal(faces.images, naive), "the two parsers disagree"
    print(f"rows: {len(faces)}")
    print(f"per-row np.array(row.split()) loop (parse only): {naive_s:.2f} s")
    print(
        f"project reader (read + gunzip + parse + validate), best of 3: {project_s:.2f} s "
        f"(all: {', '.join(f'{t:.2f}' for t in timings)})"
    )
    print(f"ingest_fer2013: {project_s:.2f} s, {naive_s / project_s:.1f}x vs per-row")


if __name__ == "__main__":
    main()

"""FER2013 reader: good input, every malformed-input fault named by line, and the real file."""

import gzip
import itertools

import numpy as np
import pytest
from kedro.io import DatasetError

from emotion_gan.datasets.fer2013 import Fer2013Dataset, Fer2013FormatError, parse_fer2013_csv
from tests.conftest import SHARED_FER2013

HEADER = "emotion,pixels,Usage\n"


def row(label="3", pixels=None, usage="Training", n=2304):
    pixels = pixels if pixels is not None else " ".join(str(i % 256) for i in range(n))
    return f"{label},{pixels},{usage}\n"


def test_parses_labels_pixels_and_usage():
    text = HEADER + row("0") + row("6", usage="PublicTest") + row("1", usage="PrivateTest")
    faces = parse_fer2013_csv(text.encode())
    assert faces.images.shape == (3, 48, 48) and faces.images.dtype == np.uint8
    assert list(faces.labels) == [0, 6, 1]
    assert list(faces.split) == ["Training", "PublicTest", "PrivateTest"]
    np.testing.assert_array_equal(faces.images[0].ravel(), np.arange(2304) % 256)


def test_crlf_blank_trailing_lines_and_column_order():
    text = "Usage,emotion,pixels\r\n" + "Training,2," + " ".join(["255"] * 2304) + "\r\n\r\n"
    faces = parse_fer2013_csv(text.encode())
    assert faces.labels.tolist() == [2] and faces.images.min() == 255


def test_single_and_three_digit_values_at_field_edges():
    pixels = " ".join(["7"] + ["0"] * 2302 + ["200"])
    faces = parse_fer2013_csv((HEADER + row(pixels=pixels)).encode())
    assert faces.images[0, 0, 0] == 7 and faces.images[0, -1, -1] == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (row(n=2303), "line 3 has 2303 pixels; expected 2304"),
        (row(n=2305), "line 3 has 2305 pixels"),
        (row(pixels=" ".join(["1"] * 2303 + ["256"])), "line 3: pixel value 256 is out of range"),
        (row(pixels=" ".join(["1"] * 2303 + ["1000"])), "line 3: pixel value 1000 is out of range"),
        (row(pixels=" ".join(["1"] * 2303 + ["1.5"])), r"line 3: pixel field holds '\.'"),
        (row(pixels=" ".join(["1"] * 2303 + ["-1"])), "line 3: pixel field holds '-'"),
        (row(label="7"), "line 3: emotion label '7' is not an integer in 0–6"),
        (row(label="x"), "line 3: emotion label 'x'"),
        (row(usage="Validation"), "line 3: unknown Usage 'Validation'"),
        ("3,1 2 3\n", "line 3 has 2 fields; expected 3"),
    ],
)
def test_malformed_rows_name_the_line_and_the_fault(body, message):
    with pytest.raises(Fer2013FormatError, match=message):
        parse_fer2013_csv((HEADER + row() + body).encode(), "x.csv")


def test_missing_column_and_empty_file():
    with pytest.raises(Fer2013FormatError, match=r"missing \['Usage'\]"):
        parse_fer2013_csv(b"emotion,pixels\n3,1 2\n")
    with pytest.raises(Fer2013FormatError, match="the file is empty"):
        parse_fer2013_csv(b"")
    with pytest.raises(Fer2013FormatError, match="no data rows"):
        parse_fer2013_csv(HEADER.encode())


@pytest.mark.parametrize("order", list(itertools.permutations(["emotion", "pixels", "Usage"])))
def test_every_column_order_parses_files_longer_than_one_chunk(order):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (600, 2304))  # > 512 rows: more than one parsing chunk
    fields = [{"emotion": str(i % 7), "pixels": " ".join(map(str, p)), "Usage": "Training"}
              for i, p in enumerate(pixels)]  # fmt: skip
    text = ",".join(order) + "\n" + "".join(",".join(f[c] for c in order) + "\n" for f in fields)
    faces = parse_fer2013_csv(text.encode())
    np.testing.assert_array_equal(faces.images.reshape(600, -1), pixels)
    assert faces.labels.tolist() == [i % 7 for i in range(600)]


def test_a_byte_order_mark_before_the_header_is_accepted():
    faces = parse_fer2013_csv(("\ufeff" + HEADER + row("4")).encode("utf-8"))
    assert faces.labels.tolist() == [4]


def test_a_header_less_file_is_reported_without_quoting_the_whole_row():
    with pytest.raises(Fer2013FormatError) as error:
        parse_fer2013_csv((row("1") + row("2")).encode())
    message = str(error.value)
    assert "line 1 (header)" in message and len(message) < 400 and "chars)" in message


def test_dataset_reads_gzip_and_reports_a_missing_file(tmp_path):
    path = tmp_path / "fer.csv.gz"
    path.write_bytes(gzip.compress((HEADER + row("5")).encode()))
    faces = Fer2013Dataset(filepath=str(path)).load()
    assert faces.labels.tolist() == [5] and len(faces.metadata["sha256"]) == 64
    with pytest.raises(DatasetError, match=r"not found: .*nope\.csv.*data/01_raw"):
        Fer2013Dataset(filepath=str(tmp_path / "nope.csv")).load()


def test_every_member_of_a_multi_member_gzip_is_read(tmp_path):
    """pigz output / concatenated .gz parts: zlib alone stopped after the first member."""
    path = tmp_path / "fer.csv.gz"
    parts = [HEADER + row("1") + row("2"), row("3"), row("4") + row("5")]
    path.write_bytes(b"".join(gzip.compress(part.encode()) for part in parts))
    assert Fer2013Dataset(filepath=str(path)).load().labels.tolist() == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("tail", "message"),
    [(b"garbage!", "8 bytes of trailing garbage after gzip member 1"),
     (gzip.compress(row("3").encode())[:-12], "gzip member 2 is truncated")],
)  # fmt: skip
def test_trailing_garbage_or_a_truncated_member_is_refused_by_name(tmp_path, tail, message):
    path = tmp_path / "fer.csv.gz"
    path.write_bytes(gzip.compress((HEADER + row("5")).encode()) + tail)
    with pytest.raises(DatasetError, match=rf"fer\.csv\.gz: {message}"):
        Fer2013Dataset(filepath=str(path)).load()


README_COUNTS = {  # ../shared/data/fer2013/README.md, "Counts" table
    "Training": [3995, 436, 4097, 7215, 4830, 3171, 4965],
    "PublicTest": [467, 56, 496, 895, 653, 415, 607],
    "PrivateTest": [491, 55, 528, 879, 594, 416, 626],
}


@pytest.mark.skipif(not SHARED_FER2013.exists(), reason=f"real FER2013 not at {SHARED_FER2013}")
def test_real_fer2013_counts_match_the_readme():
    faces = Fer2013Dataset(filepath=str(SHARED_FER2013)).load()
    assert len(faces) == 35887
    for usage, counts in README_COUNTS.items():
        assert np.bincount(faces.labels[faces.split == usage], minlength=7).tolist() == counts
    # README spot check: the first Training row is the well-known first row of fer2013.csv.
    assert faces.images[0, 0, :4].tolist() == [70, 80, 82, 72]

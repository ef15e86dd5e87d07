"""Speed of the embedded default data: 10,000 synthetic faces, vectorised vs one face at a time.

The renderer draws every face of a chunk with the same numpy expressions; the reference calls
:func:`~emotion_gan.sources.synthetic_faces.render_faces` once per face (the per-face loop a
straightforward renderer would be), on a subset, scaled up to the same count. Both run in the
same process, interleaved, best of ``--repeats``; timings jitter on a shared machine, the ratio
less so. Last line: ``synthetic_faces: <seconds> s for 10,000 faces, <ratio>x vs per-face``.

    .venv/bin/python bench/synthetic_faces.py        # ~30 s on 2 idle cores
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from emotion_gan.sources.synthetic_faces import render_faces, synthetic_face_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=10_000)
    parser.add_argument("--per-face", type=int, default=300, help="faces rendered one at a time")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    labels = np.arange(args.per_face) % 7
    vectorised, per_face = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        synthetic_face_dataset(args.total, seed=0)
        vectorised.append(time.perf_counter() - start)
        start = time.perf_counter()
        for i, label in enumerate(labels):
            render_faces(np.array([label]), seed=i)
        per_face.append((time.perf_counter() - start) * args.total / args.per_face)
    best, reference = min(vectorised), min(per_face)
    count = f"{args.total:,} faces"
    print(f"vectorised: {best:.2f} s for {count} ({best / args.total * 1e6:.0f} µs/face)")
    print(f"per-face:   {reference:.2f} s for {count} (extrapolated)")
    print(f"synthetic_faces: {best:.2f} s for {count}, {reference / best:.1f}x vs per-face")


if __name__ == "__main__":
    main()

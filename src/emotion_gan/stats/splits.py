"""Honest splits of a small face set: grouped by subject, stratified by class where possible.

Why: lab sets hold many images of each person (JAFFE: 10 women, ~3 posed images of each
expression). A split per image puts the same person in training and test, and the test then
measures recognising that person's face, not the expression. With subject ids the folds are
scikit-learn's ``StratifiedGroupKFold`` (each subject in exactly one test part, class shares
kept as far as the groups allow); without them, ``StratifiedKFold`` per image, and the
description says so. Protocols:

* ``kfold``: k-fold cross-validation (default 5) — every image is tested exactly once;
* ``holdout``: one test part of ``test_fraction`` (the paper's "20 % samples from JAFFE");
* ``given``: the set's own train / test folders (SFEW), nothing is drawn.

The fold of each image is written into the set's ``split`` column (``fold0`` … ``fold4``, or
``train`` / ``test``), so the split is versioned with the images it splits.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

PROTOCOLS = ("kfold", "holdout", "given")
#: ``split`` values of a set that ships its own parts; ``val`` joins training.
GIVEN_SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class Fold:
    """One train/test division of a small set: boolean masks over its images."""

    name: str
    train: np.ndarray
    test: np.ndarray


def assign_folds(
    labels: np.ndarray,
    subjects: np.ndarray | None,
    *,
    protocol: str,
    folds: int,
    test_fraction: float,
    seed: int,
    given_split: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Each image's fold (its ``split`` value) and a description of how it was drawn.

    Args:
        labels: class of each image.
        subjects: subject id of each image, or ``None`` when unknown (split per image).
        protocol: one of :data:`PROTOCOLS`.
        folds: k of ``kfold``.
        test_fraction: share of the images (of the subjects, when grouped) in ``holdout``'s
            test part.
        seed: the shuffle of subjects (or images) into folds.
        given_split: the reader's ``split`` column, for ``given``.

    Raises:
        ValueError: an unknown protocol, too few subjects or images for the folds asked, or
            ``given`` on a set without train and test folders — each naming the parameter.
    """
    labels = np.asarray(labels)
    grouped = subjects is not None
    if protocol not in PROTOCOLS:
        raise ValueError(f"transfer.split.protocol must be one of {PROTOCOLS}, got {protocol!r}")
    if protocol == "given":
        return _given(given_split, grouped, subjects, labels)
    if protocol == "holdout" and not 0.0 < test_fraction < 1.0:
        raise ValueError(f"transfer.split.test_fraction must lie in (0, 1), got {test_fraction!r}")
    units = len(np.unique(subjects)) if grouped else len(labels)
    if protocol == "holdout":  # one part of k; fewer subjects than k: the measured share says
        folds = min(max(2, round(1.0 / test_fraction)), max(units, 2))
    if folds < 2 or folds > units:
        raise ValueError(
            f"transfer.split.folds is {folds} but the set has {units} "
            f"{'subjects' if grouped else 'images'}; use 2..{units}"
        )
    parts, caught = _test_parts(labels, subjects, folds, seed)
    assignment = np.empty(len(labels), dtype=object)
    if protocol == "holdout":
        assignment[:] = "train"
        assignment[parts[0]] = "test"
    else:
        for index, test in enumerate(parts):
            assignment[test] = f"fold{index}"
    description = {
        "protocol": protocol,
        "folds": folds if protocol == "kfold" else 1,
        "grouped_by": "subject" if grouped else "image",
        "subjects": units if grouped else None,
        "seed": seed,
        "warnings": caught,
    }
    if protocol == "holdout":
        description["test_fraction"] = float(np.mean(assignment == "test"))
    return assignment.astype(str), description


def _test_parts(
    labels: np.ndarray, subjects: np.ndarray | None, folds: int, seed: int
) -> tuple[list[np.ndarray], list[str]]:
    """The test indices of each of ``folds`` stratified folds (grouped by subject when known)
    and scikit-learn's warnings (e.g. a class too small to reach every fold)."""
    splitter = (StratifiedGroupKFold if subjects is not None else StratifiedKFold)(
        n_splits=folds, shuffle=True, random_state=seed
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            parts = [test for _, test in splitter.split(np.zeros(len(labels)), labels, subjects)]
        except ValueError as exc:  # e.g. every class smaller than k, per image
            raise ValueError(
                f"transfer.split.folds is {folds}, which this set cannot be split into "
                f"({exc}); lower transfer.split.folds or use protocol holdout"
            ) from exc
    return parts, sorted({str(w.message) for w in caught})


def _given(
    given_split: np.ndarray | None,
    grouped: bool,
    subjects: np.ndarray | None,
    labels: np.ndarray,
) -> tuple[np.ndarray, dict[str, Any]]:
    values = set(np.unique(given_split).tolist()) if given_split is not None else set()
    if not {"train", "test"} <= values or not values <= set(GIVEN_SPLITS):
        raise ValueError(
            "transfer.split.protocol is 'given' but the set has no train and test folders "
            f"(its splits: {sorted(values)}); lay it out as <root>/train/<class>/ and "
            "<root>/test/<class>/, or use protocol kfold"
        )
    split = np.asarray(given_split).astype(str)
    shared = (
        sorted(set(subjects[split == "test"]) & set(subjects[split != "test"])) if grouped else []
    )
    return split, {
        "protocol": "given",
        "folds": 1,
        "grouped_by": "given folders",
        "subjects": len(np.unique(subjects)) if grouped else None,
        "subjects_in_both_parts": shared,
        "warnings": [],
        "test_fraction": float(np.mean(split == "test")),
        "n_images": len(labels),
    }


def folds_of(split: np.ndarray) -> list[Fold]:
    """The folds encoded in a ``split`` column written by :func:`assign_folds`."""
    split = np.asarray(split).astype(str)
    values = sorted(set(split.tolist()))
    if set(values) <= set(GIVEN_SPLITS):
        if "test" not in values:
            raise ValueError(f"the set has splits {values} but no test part")
        return [Fold("test", split != "test", split == "test")]
    if not all(v.startswith("fold") for v in values):
        raise ValueError(
            f"split values {values} are neither folds (fold0, fold1, …) nor train/test; "
            "split the set with assign_folds first"
        )
    return [Fold(name, split != name, split == name) for name in values]

"""Markdown tables and ``mean ± sd`` cells shared by the reports (evaluate, transfer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def pct(stat: Mapping[str, float], digits: int = 1) -> str:
    """``mean ± sd`` of a fraction, in percent."""
    return f"{100 * stat['mean']:.{digits}f} ± {100 * stat['sd']:.{digits}f}"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table (no extra dependency such as ``tabulate``)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)

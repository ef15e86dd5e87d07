"""Runners that spread a run's nodes beyond one process: ``DaskRunner`` (a Dask cluster).

``kedro run --runner emotion_gan.runners.DaskRunner``; README "Scaling out". ``DaskRunner``
is imported on first use, so importing :mod:`emotion_gan.runners.threads` (the project's
hooks do) does not import ``distributed``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DaskRunner"]


def __getattr__(name: str) -> Any:
    if name == "DaskRunner":
        from emotion_gan.runners.dask_runner import DaskRunner

        return DaskRunner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Real headless Chromium for the browser tests (the HTML report, the Kedro-Viz build).

Why Debian's chromium, not playwright's own browser: ``playwright install`` downloads a browser
at test time, which CI and this machine cannot do; ``.ci/run`` installs the ``chromium``
package instead, and the python ``playwright`` package drives it. Where it is absent the tests
skip and say how to install it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: No sandbox (containers run as root), no GPU, and nothing that would reach the network.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Where screenshots are copied when set (CI keeps them as artefacts).
ARTIFACTS_ENV = "EMOTION_GAN_ARTIFACTS"


@contextmanager
def chromium_page(tmp_path: Path, width: int = 1400, height: int = 900) -> Iterator[Any]:
    """A playwright ``Page`` in a fresh headless Chromium profile under ``tmp_path``."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"no browser at {CHROMIUM}: install Debian's chromium: apt-get install chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": width, "height": height},
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def screenshot(page: Any, tmp_path: Path, name: str) -> Path:
    """Save a full-page screenshot under ``tmp_path`` (and in ``$EMOTION_GAN_ARTIFACTS``)."""
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    artifacts = os.environ.get(ARTIFACTS_ENV)
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(artifacts) / name)
    return path


#: Every ``<img>`` of the page: whether it finished loading and its decoded width (0 = broken).
IMAGES_JS = (
    "images => images.map(i => ({src: i.src.slice(0, 60), complete: i.complete, "
    "width: i.naturalWidth}))"
)

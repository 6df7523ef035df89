"""Fixtures for the browser tests: the built site (rebuilt when stale), a local server for it, and
Debian's Chromium driven by Playwright. Nothing here reaches another host."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "site"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def _missing(reason: str) -> None:
    """Outside CI a missing browser skips the browser tests; in CI it fails them."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _newest_input() -> float:
    inputs = [ROOT / "mkdocs.yml", *(ROOT / "docs").rglob("*"), *(ROOT / "symact").rglob("*.py")]
    return max(p.stat().st_mtime for p in inputs if p.is_file())


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """site/, with docs/ regenerated (a no-op when nothing changed) and mkdocs run when its output is
    older than any of its inputs."""
    from symact.site import build

    build(ROOT)
    index = SITE / "index.html"
    if not index.is_file() or index.stat().st_mtime < _newest_input():
        mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or "mkdocs"
        result = subprocess.run([mkdocs, "build", "--strict", "--quiet"], cwd=ROOT, text=True,
                                capture_output=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        assert result.returncode == 0, result.stderr[-4000:]
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():  # -> playwright.sync_api.Browser
    if not CHROMIUM.is_file():
        _missing(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[browser]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()

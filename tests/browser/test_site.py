"""The built site in a real browser: every page loads without errors or requests to other hosts, every
formula is rendered by KaTeX, every image loads, tables sort, and the dark palette works."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MATH_RENDERED = """() => [...document.querySelectorAll('.arithmatex')]
    .every(el => el.dataset.rendered === '1')"""
MATH_COUNTS = """() => ({
    sources: document.querySelectorAll('.arithmatex').length,
    rendered: [...document.querySelectorAll('.arithmatex')]
        .filter(el => el.querySelectorAll(':scope .katex').length >= 1).length,
    errors: document.querySelectorAll('.katex-error').length,
})"""
BROKEN_IMAGES = """() => [...document.images]
    .filter(img => !img.complete || img.naturalWidth === 0).map(img => img.getAttribute('src'))"""


def _pages(site: Path) -> list[str]:
    """Every page of the site, as a path from its root ('' for the home page)."""
    out = []
    for index in sorted(site.rglob("index.html")):
        relative = index.parent.relative_to(site).as_posix()
        if relative.startswith(("assets", "screenshots")):
            continue
        out.append("" if relative == "." else relative + "/")
    return out


def _visit(page, url: str) -> tuple[list[str], list[str]]:
    """Load ``url`` and wait for its formulas; the console errors and the foreign requests seen."""
    errors: list[str] = []
    foreign: list[str] = []

    def request(r) -> None:
        parsed = urlparse(r.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname != "127.0.0.1":
            foreign.append(r.url)

    handlers = {
        "console": lambda m: errors.append(m.text) if m.type == "error" else None,
        "pageerror": lambda e: errors.append(str(e)),
        "request": request,
    }
    for event, handler in handlers.items():
        page.on(event, handler)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function(MATH_RENDERED, timeout=15_000)
    finally:
        for event, handler in handlers.items():
            page.remove_listener(event, handler)
    return errors, foreign


def test_every_page(page, base_url: str, site_dir: Path) -> None:
    paths = _pages(site_dir)
    assert len(paths) > 50
    problems: list[str] = []
    total_math = 0
    for path in paths:
        errors, foreign = _visit(page, f"{base_url}/{path}")
        counts = page.evaluate(MATH_COUNTS)
        broken = page.evaluate(BROKEN_IMAGES)
        total_math += counts["sources"]
        problems += [f"/{path}: console error: {e}" for e in errors]
        problems += [f"/{path}: request to another host: {u}" for u in foreign]
        if counts["errors"] or counts["rendered"] != counts["sources"]:
            problems.append(f"/{path}: formulas {counts}")
        problems += [f"/{path}: image did not load: {src}" for src in broken]
    assert total_math > 1000
    assert not problems, "\n".join(problems[:40])


def test_screenshots(page, base_url: str, site_dir: Path) -> None:
    shots = site_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    for path, name in (("", "home.png"), ("activations/gelu/", "gelu.png")):
        _visit(page, f"{base_url}/{path}")
        page.screenshot(path=str(shots / name), full_page=False)
        assert (shots / name).stat().st_size > 10_000


def test_comparison_table_sorts_on_click(page, base_url: str) -> None:
    _visit(page, f"{base_url}/compare/properties/")
    table = page.locator("table.sortable").first
    headers = table.locator("thead th")
    column = next(i for i in range(headers.count()) if headers.nth(i).inner_text().startswith("Lipschitz"))
    keys = f"""() => [...document.querySelector('table.sortable').tBodies[0].rows]
        .map(r => r.cells[{column}].dataset.sort)"""
    before = page.evaluate(keys)
    headers.nth(column).click(position={"x": 5, "y": 5})
    ascending = page.evaluate(keys)
    numbers = [float(k) if k not in ("Infinity", "-Infinity") else float(k.replace("Infinity", "inf"))
               for k in ascending if k]
    assert numbers == sorted(numbers)
    assert all(k for k in ascending[: len(numbers)])  # empty keys come last
    headers.nth(column).click(position={"x": 5, "y": 5})
    descending = page.evaluate(keys)
    numbers_desc = [float(k.replace("Infinity", "inf")) for k in descending if k]
    assert numbers_desc == sorted(numbers_desc, reverse=True)
    assert sorted(before, key=str) == sorted(ascending, key=str)  # same rows, reordered


def test_dark_palette_toggle(page, base_url: str) -> None:
    _visit(page, f"{base_url}/activations/gelu/")
    scheme = "() => document.body.getAttribute('data-md-color-scheme')"
    assert page.evaluate(scheme) == "default"
    light_figure = page.locator("img[src$='gelu.svg#only-light']")
    dark_figure = page.locator("img[src$='gelu-dark.svg#only-dark']")
    assert light_figure.is_visible() and not dark_figure.is_visible()
    page.locator("label[title='Switch to dark mode']").click()
    page.wait_for_function(f"() => ({scheme})() === 'slate'")
    assert dark_figure.is_visible() and not light_figure.is_visible()
    page.locator("label[title='Switch to light mode']").click()
    page.wait_for_function(f"() => ({scheme})() === 'default'")


def test_math_renders_after_instant_navigation(page, base_url: str) -> None:
    _visit(page, f"{base_url}/activations/gelu/")
    page.locator("article a[href$='families/self_gated/']").first.click()
    page.wait_for_url("**/families/self_gated/")
    page.wait_for_function(MATH_RENDERED, timeout=15_000)
    counts = page.evaluate(MATH_COUNTS)
    assert counts["sources"] > 0 and counts["rendered"] == counts["sources"] and not counts["errors"]

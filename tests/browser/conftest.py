"""Real-browser tests: Debian's Chromium driven by Playwright, axe-core on every page visited."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Checked:
    """Runs axe-core on a page and remembers which addresses were checked."""

    def __init__(self, page):
        self.page = page
        self.visited: list[str] = []
        self.checked: set[str] = set()
        self.console_errors: list[str] = []
        page.on("framenavigated", lambda frame: frame == page.main_frame and self.visited.append(frame.url))
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(f"{page.url}: {msg.text}"))

    def axe(self):
        page = self.page
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, so the page's CSP does not block it.
            page.evaluate(AXE_JS.read_text(encoding="utf-8"))
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
        )
        violations = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        assert not violations, f"axe-core found WCAG 2.2 AA violations on {page.url}:\n" + json.dumps(violations, indent=2)
        self.checked.add(page.url)


@pytest.fixture
def browse(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    checked = Checked(page)
    yield checked
    context.close()
    unchecked = [u for u in checked.visited if u not in checked.checked and u != "about:blank"]
    assert not unchecked, f"pages visited without an accessibility check: {unchecked}"
    csp = [e for e in checked.console_errors if "Content Security Policy" in e or "Refused to" in e]
    assert not csp, f"the Content Security Policy blocked something: {csp}"

"""A real browser for tests: Playwright for Python driving Debian's Chromium, with axe-core (from
npm, installed by ``npm ci`` in the repository root) injected to check pages against WCAG 2.2 AA.

Nothing is downloaded here: ``playwright install`` is never run. Without Chromium or axe-core the
tests skip, except in CI (``CI`` set), where that is a failure so they never silently skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every WCAG 2.0, 2.1 and 2.2 rule at levels A and AA (WCAG 2.2 added only A and AA rules that
# axe-core tags wcag22aa).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Best-practice rules the dashboard also keeps: one main landmark holding the page's one h1, one
# banner, all content inside landmarks (so the skip link skips only navigation), and no role that
# hides content (a figure with role="img" hides its caption from screen readers).
STRUCTURE_RULES = [
    "landmark-one-main",
    "landmark-no-duplicate-main",
    "landmark-no-duplicate-banner",
    "page-has-heading-one",
    "region",
    "aria-allowed-role",
]


def missing(what: str) -> NoReturn:
    """Skip on a developer's machine; fail in CI, where the browser tests must always run."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide {what} so the browser tests never skip (see .ci/run)")
    pytest.skip(f"{what} is not installed")


def axe_source() -> str:
    if not AXE.is_file():
        missing(f"axe-core ({AXE}; run `npm ci` in the repository root)")
    return AXE.read_text(encoding="utf-8")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium with a fresh temporary profile, closed afterwards."""
    if not CHROMIUM.is_file():
        missing(f"Chromium ({CHROMIUM}; apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright for Python (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page: Any, source: str) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now: violations of WCAG 2.2 A and AA, and of the
    structure rules above."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=source)
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "rules": {rule: {"enabled": True} for rule in STRUCTURE_RULES},
    }
    result: dict[str, Any] = page.evaluate("options => axe.run(document, options)", options)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """One readable paragraph per violation: rule, impact, help, and every failing node."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
    return "\n".join(lines)

"""The web form in a real browser (Playwright driving Debian's Chromium), with JavaScript off and
on: every bundled flow completed through its branches with the keyboard alone; every page type
free of WCAG 2.2 A/AA violations (axe-core), without sideways scrolling at 320 CSS pixels, and
with no text or control overlapping another at 200 % zoom.

Screenshots of each page type are written to a temporary folder, or to the folder named by
``CAREVOICE_WEB_SCREENSHOTS`` (how docs/web/ is made).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.app import create_app
from storage.db import make_engine
from storage.migrate import upgrade
from tests.bot.channels.web.harness import variant, world_settings
from tests.fakes.browser import axe_source, axe_violations, chromium, describe
from tests.fakes.live_service import LiveService

MAX_PAGES = 30
MAX_KEYS = 80
# Each run: a flow, and which option to choose (by position) where it makes a branch.
RUNS = [
    ("fft", {}),
    ("homecare_monthly", {}),
    ("day_service_outcomes", {"rating": 0}),  # low scores: "why?" is asked
    ("day_service_outcomes", {"rating": -1}),  # high scores: it is not
    ("pcf_consultation", {"status": 0}),  # waiting: wait time and its effects
    ("pcf_consultation", {"status": 2, "repairs": 0}),  # has a chair, needed a repair
    ("pcf_consultation", {"status": 2, "repairs": 1}),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    folder = tmp_path_factory.mktemp("webform")
    engine = make_engine(f"sqlite:///{folder / 'carevoice.db'}")
    upgrade(engine)
    (folder / "flows").mkdir()
    variant(folder / "flows", "closed_survey", "  closes: 2026-01-31\n  results: We will publish "
            "what families said on our website in March.\n")  # fmt: skip
    settings = world_settings(engine, web_contact="Email hello@northshire-pcf.example",
                              flows_dir=folder / "flows")  # fmt: skip
    service = LiveService(create_app(settings, engine)).start()
    try:
        yield service.url, engine
    finally:
        service.stop()
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def tab_to(page: Any, predicate: str) -> None:
    """Press Tab until ``predicate`` (JavaScript, on the focused element ``el``) holds."""
    for _ in range(MAX_KEYS):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!({predicate}); }}"):
            return
    raise AssertionError(f"the keyboard never reached: {predicate}")


def press_button(page: Any) -> None:
    tab_to(page, "el && el.matches('button.govuk-button')")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def answer_by_keyboard(page: Any, choices: dict[str, int]) -> None:
    question = page.locator("input[name=question_id]").get_attribute("value")
    kinds = page.eval_on_selector_all(
        "[name=answer]", "els => els.map(e => e.type || e.tagName.toLowerCase())"
    )
    if kinds and kinds[0] == "radio":
        rating = page.locator(".app-rating").count() > 0
        wanted = choices.get(question, choices.get("rating", 0) if rating else 0)
        index = wanted % len(kinds)
        tab_to(page, "el && el.name === 'answer'")
        page.keyboard.press("Space")
        for _ in range(index):
            page.keyboard.press("ArrowDown")
    elif kinds and kinds[0] == "checkbox":
        tab_to(page, "el && el.name === 'answer'")
        page.keyboard.press("Space")
    else:
        tab_to(page, "el && el.name === 'answer'")
        page.keyboard.type("7" if kinds == ["text"] else "The staff listen to us")
    press_button(page)


def complete(page: Any, url: str, flow: str, choices: dict[str, int]) -> list[str]:
    page.goto(f"{url}/f/{flow}")
    press_button(page)
    asked = []
    for _ in range(MAX_PAGES):
        if page.locator("h1").inner_text().startswith("Check your answers"):
            break
        asked.append(page.locator("input[name=question_id]").get_attribute("value"))
        answer_by_keyboard(page, choices)
    else:
        raise AssertionError(f"{flow} did not reach check your answers in {MAX_PAGES} pages")
    press_button(page)
    assert page.locator("h1").inner_text() == "Your answers have been sent"
    return asked


@pytest.mark.slow
@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_every_bundled_flow_is_completed_with_the_keyboard_alone(
    site: tuple[str, Engine], browser: Any, javascript: bool
) -> None:
    url, _ = site
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 320, "height": 640}
    )
    try:
        page = context.new_page()
        paths = {}
        for flow, choices in RUNS:
            paths[(flow, tuple(choices.items()))] = complete(page, url, flow, choices)
    finally:
        context.close()
    assert "outcomes_why" in paths[("day_service_outcomes", (("rating", 0),))]
    assert "outcomes_why" not in paths[("day_service_outcomes", (("rating", -1),))]
    assert "wait_time" in paths[("pcf_consultation", (("status", 0),))]
    assert "repair_weeks" in paths[("pcf_consultation", (("status", 2), ("repairs", 0)))]
    assert "repair_weeks" not in paths[("pcf_consultation", (("status", 2), ("repairs", 1)))]


def shots_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CAREVOICE_WEB_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_page(page: Any, axe: str, name: str, folder: Path) -> None:
    violations = axe_violations(page, axe)
    assert violations == [], f"{name}:\n{describe(violations)}"
    page.set_viewport_size({"width": 320, "height": 640})
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 320, f"{name} scrolls sideways at 320 px ({wide} px wide)"
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    nothing_overlaps_at_200_percent(page, name)
    page.set_viewport_size({"width": 1024, "height": 768})


# Pairs of visible text and controls, neither inside the other, whose boxes intersect.
OVERLAPS = """() => {
  const selector = 'h1, h2, p, label, legend, a, button, input, textarea, dt, dd, summary';
  const shown = [...document.querySelectorAll(selector)].filter(el => {
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    return box.width > 2 && box.height > 2 && style.visibility !== 'hidden'
      && style.opacity !== '0' && !el.closest('.govuk-visually-hidden')
      && el.checkVisibility({contentVisibilityAuto: true});  // not inside a closed <details>
  });
  const found = [];
  for (let i = 0; i < shown.length; i++) for (let j = i + 1; j < shown.length; j++) {
    const a = shown[i], b = shown[j];
    if (a.contains(b) || b.contains(a)) continue;
    const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
    const x = Math.min(p.right, q.right) - Math.max(p.left, q.left);
    const y = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
    if (x > 1 && y > 1) found.push(a.outerHTML.slice(0, 60) + ' / ' + b.outerHTML.slice(0, 60));
  }
  return found;
}"""


def nothing_overlaps_at_200_percent(page: Any, name: str) -> None:
    """200 % zoom of a 1280 px wide window is a 640 CSS pixel viewport at twice the density."""
    page.set_viewport_size({"width": 640, "height": 360})
    overlapping = page.evaluate(OVERLAPS)
    assert overlapping == [], f"{name} at 200 %: {overlapping}"


def go_on(page: Any) -> None:
    with page.expect_navigation():
        page.locator("button.govuk-button").click()


@pytest.mark.slow
def test_every_page_type_passes_axe_fits_320_pixels_and_zooms(
    site: tuple[str, Engine], browser: Any, tmp_path: Path
) -> None:
    url, _ = site
    axe, folder = axe_source(), shots_folder(tmp_path)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{url}/f/pcf_consultation")
        check_page(page, axe, "01-start", folder)
        go_on(page)
        check_page(page, axe, "02-question-radios", folder)
        go_on(page)
        check_page(page, axe, "03-error", folder)
        page.locator("#answer").check()
        go_on(page)
        check_page(page, axe, "04-question-number", folder)
        page.fill("#answer", "12")
        go_on(page)
        check_page(page, axe, "05-question-checkboxes", folder)
        page.locator("#answer").check()
        go_on(page)
        page.locator("#answer").check()
        go_on(page)
        page.locator("#answer").check()
        go_on(page)
        check_page(page, axe, "06-question-textarea", folder)
        resume = page.url
        page.fill("#answer", "Tell us when the chair is coming")
        go_on(page)
        check_page(page, axe, "07-check-answers", folder)
        go_on(page)
        check_page(page, axe, "08-confirmation", folder)
        page.goto(f"{resume.rsplit('/r/', 1)[0]}/r/{resume.rsplit('/r/', 1)[1]}?print=large")
        check_page(page, axe, "09-resume-large-print", folder)
        page.goto(f"{url}/f/day_service_outcomes?lang=en-easy")
        go_on(page)
        check_page(page, axe, "10-question-rating-easy-read", folder)
        page.goto(f"{url}/f/privacy?print=standard")
        check_page(page, axe, "11-privacy", folder)
        page.goto(f"{url}/s/{'C' * 22}")
        check_page(page, axe, "12-link-not-valid", folder)
        page.goto(f"{url}/f/closed_survey")
        check_page(page, axe, "13-closed-survey", folder)
    finally:
        context.close()

"""The dashboard in a real browser: every page a commissioner uses passes axe-core's WCAG 2.2 A and
AA rules, and the keyboard reaches the skip link first.

The service runs on a loopback port over the report test data (SQLite only: the markup does not
depend on the database, and the database tests run both elsewhere). Sign-in goes through the
real form, so the browser holds a real session cookie. The dashboard's Content-Security-Policy
allows no scripts; the browser contexts bypass it so that axe-core can be injected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.app import create_app
from bot.config.settings import Settings
from storage import sealed
from storage.crypto import Vault, generate_key
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import SafeguardingFlag
from tests.bot.dashboard.conftest import PASSWORD, add_users
from tests.fakes.browser import axe_source, axe_violations, chromium, describe
from tests.fakes.live_service import LiveService
from tests.reports.data import MONTH, load_fixture
from tests.reports.test_outcome_report import load as load_outcomes

COMMISSIONER = "commissioner@council.example"


@dataclass(frozen=True)
class Site:
    url: str
    engine: Engine
    providers: dict[str, int]

    def flag_id(self) -> int:
        with Session(self.engine) as db:
            flag = db.exec(select(SafeguardingFlag)).first()
        assert flag is not None, "the report test data has a safeguarding flag"
        assert flag.id is not None
        return flag.id


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    path = tmp_path_factory.mktemp("a11y") / "carevoice.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    key = generate_key()
    sealed.bind(engine, Vault.from_setting(key))
    load_fixture(engine)
    load_outcomes(engine)
    providers = add_users(engine)
    settings = Settings(database_url=str(engine.url), secret_key=key, public_url="http://127.0.0.1")
    service = LiveService(create_app(settings, engine)).start()
    try:
        yield Site(service.url, engine, providers)
    finally:
        service.stop()
        engine.dispose()


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page in a fresh context: no cookies, nothing visited."""
    context = browser.new_context(bypass_csp=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def commissioner(browser: Any, site: Site) -> Iterator[Any]:
    """A browser context signed in as a commissioner through the sign-in form."""
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, site, COMMISSIONER, PASSWORD)
        assert page.url == f"{site.url}/reports", page.url
        page.close()
        yield context
    finally:
        context.close()


def sign_in(page: Any, site: Site, email: str, password: str) -> None:
    page.goto(f"{site.url}/reports/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def assert_accessible(page: Any, axe: str) -> None:
    violations = axe_violations(page, axe)
    if violations:
        pytest.fail(f"{page.url}: accessibility violations\n{describe(violations)}", pytrace=False)


def test_sign_in_page(page: Any, site: Site, axe: str) -> None:
    page.goto(f"{site.url}/reports/sign-in")
    assert page.title().startswith("Sign in")
    assert_accessible(page, axe)


def test_sign_in_page_with_errors(page: Any, site: Site, axe: str) -> None:
    sign_in(page, site, "", "")
    assert page.title().startswith("Error: ")
    summary = page.get_by_role("alert")
    assert "Enter your email address" in summary.inner_text()
    assert_accessible(page, axe)
    # The summary's links move focus to the field at fault.
    summary.get_by_role("link", name="Enter your password").click()
    assert page.evaluate("() => document.activeElement.id") == "password"


PAGES: dict[str, Callable[[Site], str]] = {
    "chooser": lambda site: "/reports",
    "provider report": lambda site: f"/reports/{site.providers['Sunrise Care']}/{MONTH}",
    "all providers": lambda site: f"/reports/all/{MONTH}",
    "survey months": lambda site: "/reports/surveys/homecare_monthly",
    "survey results": lambda site: f"/reports/surveys/homecare_monthly/{MONTH}",
    "consultation window": lambda site: "/reports/surveys/homecare_monthly/results",
    "outcomes": lambda site: (
        f"/reports/outcomes/{site.providers['Bridge Day Centre']}/2026-04/2027-03"
    ),
    "outcomes, none yet": lambda site: (
        f"/reports/outcomes/{site.providers['Sunrise Care']}/2026-04/2027-03"
    ),
    "flags": lambda site: "/flags",
    "flag": lambda site: f"/flags/{site.flag_id()}",
    "not found": lambda site: "/reports/no-such-page",
}


@pytest.mark.parametrize("name", PAGES)
def test_signed_in_pages(commissioner: Any, site: Site, axe: str, name: str) -> None:
    page = commissioner.new_page()
    try:
        response = page.goto(site.url + PAGES[name](site))
        assert response is not None
        assert response.status == (404 if name == "not found" else 200)
        assert_accessible(page, axe)
        assert page.locator("main#main-content h1").count() == 1
    finally:
        page.close()


def test_flag_form_with_errors(commissioner: Any, site: Site, axe: str) -> None:
    page = commissioner.new_page()
    try:
        page.goto(f"{site.url}/flags/{site.flag_id()}")
        page.get_by_label("Triaged: someone is dealing with it").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Save").click()
        summary = page.get_by_role("alert")
        assert "Enter the name of the person" in summary.inner_text()
        assert_accessible(page, axe)
        summary.get_by_role("link").first.click()
        assert page.evaluate("() => document.activeElement.id") == "assigned_to"
    finally:
        page.close()


def skip_link_then_main(page: Any) -> None:
    """From the top of the page, Tab lands on a visible skip link; following it focuses main."""
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.outerHTML")
    assert 'class="skip-link"' in focused, focused
    box = page.locator(".skip-link").bounding_box()  # on screen while focused, not off the edge
    assert box is not None
    assert min(box["x"], box["y"]) >= 0, box
    assert min(box["width"], box["height"]) > 0, box
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"
    assert page.evaluate("() => document.activeElement.tagName") == "MAIN"


def test_skip_link_on_sign_in(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/reports/sign-in")
    skip_link_then_main(page)


@pytest.mark.parametrize("name", ["chooser", "provider report", "outcomes", "flag"])
def test_skip_link_signed_in(commissioner: Any, site: Site, name: str) -> None:
    page = commissioner.new_page()
    try:
        page.goto(site.url + PAGES[name](site))
        skip_link_then_main(page)
    finally:
        page.close()


@pytest.mark.parametrize("name", ["chooser", "provider report", "all providers", "flag"])
def test_nothing_scrolls_sideways_on_a_phone(browser: Any, site: Site, name: str) -> None:
    """At 390 CSS pixels (a phone held upright) the page itself never scrolls sideways; a wide
    table may scroll inside its own box, which WCAG's reflow rule allows for data tables."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        sign_in(page, site, COMMISSIONER, PASSWORD)
        page.goto(site.url + PAGES[name](site))
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= 390, f"{name}: the page is {wide}px wide at 390px"
    finally:
        context.close()

"""The unsubscribe page in a real browser (Playwright driving Debian's Chromium): reached from a
real e-mail's link, free of WCAG 2.2 A/AA violations (axe-core) before and after, no sideways
scrolling at 320 CSS pixels, nothing overlapping at 200 % zoom, and the button pressed with the
keyboard alone unsubscribes, and the one after it undoes that."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from bot.app import create_app
from bot.config.settings import vault_for
from storage import repository as repo
from storage.db import make_engine
from storage.migrate import upgrade
from tests.bot.channels.email.harness import MORNING, MailServer, MailWorld, mail_settings
from tests.bot.channels.email.test_email import invite_by_email
from tests.bot.channels.web.test_form_browser import check_page, shots_folder, tab_to
from tests.fakes.browser import axe_source, chromium
from tests.fakes.live_service import LiveService


def stopped(world: MailWorld) -> bool:
    with Session(world.engine) as db:
        hashes = world.vault.lookup_hashes("email", "amina@example.org")
        return repo.is_opted_out(db, "email", hashes)


LINK = re.compile(r"http://carevoice\.example\.org(/u/[A-Za-z0-9_-]+)")


def test_the_unsubscribe_pages_are_accessible_and_work_by_keyboard(
    tmp_path: Path, mail_server: MailServer
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'carevoice.db'}")
    upgrade(engine)
    settings = mail_settings(engine, mail_server.port, web_contact="call 0113 496 0000")
    service = LiveService(create_app(settings, engine)).start()
    world = MailWorld(settings, engine, vault_for(settings), service)
    axe, folder = axe_source(), shots_folder(tmp_path)
    try:
        invite_by_email(world, world.person({"email": "amina@example.org"}))
        world.worker().drain(lambda: MORNING + timedelta(minutes=1))
        [mail] = mail_server.received
        found = LINK.search(str(mail["List-Unsubscribe"]))
        assert found is not None
        with chromium() as browser:
            context = browser.new_context(bypass_csp=True, viewport={"width": 1024, "height": 768})
            page: Any = context.new_page()
            page.goto(service.url + found.group(1))
            assert page.title() == "Unsubscribe from surveys – Northshire Council"
            check_page(page, axe, "unsubscribe", folder)
            tab_to(page, "el && el.matches('button.govuk-button')")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.locator("h1").inner_text() == "You have unsubscribed"
            assert "call 0113 496 0000" in page.content()
            check_page(page, axe, "unsubscribed", folder)
            assert stopped(world)
            tab_to(page, "el && el.matches('button.govuk-button')")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.locator("h1").inner_text() == "You are subscribed again"
            check_page(page, axe, "subscribed-again", folder)
            context.close()
        assert not stopped(world)
    finally:
        service.stop()
        engine.dispose()

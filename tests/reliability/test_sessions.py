"""A stolen session cookie, replayed over HTTP after its owner signed out, reads nothing."""

from __future__ import annotations

import httpx

from bot.app import create_app
from bot.config.settings import Settings
from bot.web.sessions import COOKIE
from tests.bot.dashboard.conftest import CSRF, PASSWORD, World
from tests.fakes.live_service import LiveService


def test_session_replay_after_sign_out_is_refused(world: World) -> None:
    settings = Settings(
        database_url=str(world.engine.url), secret_key=world.key, public_url="http://x"
    )
    service = LiveService(create_app(settings, world.engine)).start()
    try:
        with httpx.Client(base_url=service.url, timeout=30) as owner:
            token = CSRF.search(owner.get("/reports/sign-in").text)
            assert token is not None
            form = {"email": "commissioner@council.example", "password": PASSWORD}
            signed = owner.post("/reports/sign-in", data={**form, "csrf_token": token[1]})
            assert signed.status_code == 303
            stolen = owner.cookies[COOKIE]
            page = owner.get("/reports")
            assert page.status_code == 200
            token = CSRF.search(page.text)
            assert token is not None
            assert owner.post("/reports/sign-out", data={"csrf_token": token[1]}).status_code == 303
        with httpx.Client(base_url=service.url, timeout=30, cookies={COOKIE: stolen}) as thief:
            for path in ("/reports", "/flags", "/reports/1/2026-10.csv"):
                response = thief.get(path)
                assert response.status_code == 303, path
                assert response.headers["location"] == "/reports/sign-in"
    finally:
        service.stop()

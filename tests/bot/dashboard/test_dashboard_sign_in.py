"""Signing in and out over HTTP: passwords, session cookies, CSRF and the rate limiter."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from bot.dashboard.auth import hash_password
from bot.web.ratelimit import Limits
from bot.web.sessions import COOKIE
from storage.db import transaction
from storage.models import AuditLog, SignInAttempt, User
from tests.bot.dashboard.conftest import PASSWORD, World, csrf_of, sign_in

COMMISSIONER = "commissioner@council.example"


def test_signed_out_visitors_are_sent_to_sign_in(world: World) -> None:
    client = world.client()
    for path in ("/reports", "/reports/1/2026-10", "/reports/1/2026-10.pdf", "/flags"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/reports/sign-in"


def test_sign_in_page_is_accessible_html(world: World) -> None:
    response = world.client().get("/reports/sign-in")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="en-GB">' in page
    assert '<label class="label" for="email">' in page
    assert '<label class="label" for="password">' in page
    assert 'href="#main-content"' in page
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_sign_in_success(world: World) -> None:
    client = world.client()
    response = sign_in(client, COMMISSIONER, PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/reports"
    page = client.get("/reports")
    assert page.status_code == 200
    assert "Sunrise Care" in page.text
    assert "commissioner@council.example (Commissioner)" in page.text
    with Session(world.engine) as db:
        actions = db.exec(select(AuditLog.action, AuditLog.actor)).all()
    assert ("dashboard.sign_in", COMMISSIONER) in actions


def test_email_is_matched_in_any_case(world: World) -> None:
    assert sign_in(world.client(), "  Commissioner@Council.EXAMPLE ", PASSWORD).status_code == 303


def test_wrong_password_and_unknown_email_look_the_same(world: World) -> None:
    client = world.client()
    wrong = sign_in(client, COMMISSIONER, "not the password")
    unknown = sign_in(client, "nobody@council.example", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "There is a problem" in response.text
        assert "Enter a correct email address and password" in response.text
        assert "<title>Error: Sign in" in response.text
    assert client.get("/reports", follow_redirects=False).status_code == 303


def test_empty_form_says_what_is_missing(world: World) -> None:
    client = world.client()
    token = csrf_of(client.get("/reports/sign-in"))
    response = client.post("/reports/sign-in", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Enter your email address" in response.text
    assert "Enter your password" in response.text
    assert 'href="#email"' in response.text


def test_inactive_user_cannot_sign_in_and_is_signed_out(world: World) -> None:
    client = world.client(COMMISSIONER)
    with transaction(world.engine) as db:
        user = db.exec(select(User).where(User.email == COMMISSIONER)).scalar_one()
        user.active = False
        db.add(user)
    assert client.get("/reports", follow_redirects=False).status_code == 303
    assert sign_in(world.client(), COMMISSIONER, PASSWORD).status_code == 400


def test_password_change_ends_existing_sessions(world: World) -> None:
    client = world.client(COMMISSIONER)
    assert client.get("/reports").status_code == 200
    with transaction(world.engine) as db:
        user = db.exec(select(User).where(User.email == COMMISSIONER)).scalar_one()
        user.password_hash = hash_password("a brand new password")
        db.add(user)
    assert client.get("/reports", follow_redirects=False).status_code == 303


def test_session_cookie_flags(world: World) -> None:
    response = sign_in(world.client(), COMMISSIONER, PASSWORD)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # the service's public URL is http here


def test_session_cookie_is_secure_behind_https(world: World) -> None:
    client = world.client(public_url="https://carevoice.example")
    response = sign_in(client, COMMISSIONER, PASSWORD)
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]
    assert client.get("/reports").status_code == 200


def test_tampered_cookie_is_not_a_session(world: World) -> None:
    client = world.client(COMMISSIONER)
    value = client.cookies[COOKIE]
    # Replace the cookie rather than add a second one beside it (the jar keys cookies by domain).
    client.cookies.clear()
    client.cookies.set(COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/reports", follow_redirects=False).status_code == 303


def test_sign_in_rotates_the_session(world: World) -> None:
    client = world.client()
    before = csrf_of(client.get("/reports/sign-in"))
    sign_in(client, COMMISSIONER, PASSWORD)
    assert csrf_of(client.get("/reports")) != before


def test_csrf_missing_or_wrong_is_403(world: World) -> None:
    client = world.client()
    client.get("/reports/sign-in")  # a session with a token exists
    form = {"email": COMMISSIONER, "password": PASSWORD}
    missing = client.post("/reports/sign-in", data=form)
    wrong = client.post("/reports/sign-in", data={**form, "csrf_token": "forged"})
    for response in (missing, wrong):
        assert response.status_code == 403
        assert "This form has expired" in response.text
        assert "Traceback" not in response.text
    assert client.get("/reports", follow_redirects=False).status_code == 303


def test_csrf_token_of_another_session_is_refused(world: World) -> None:
    other = csrf_of(world.client().get("/reports/sign-in"))
    client = world.client()
    client.get("/reports/sign-in")
    form = {"email": COMMISSIONER, "password": PASSWORD, "csrf_token": other}
    assert client.post("/reports/sign-in", data=form).status_code == 403


def test_post_without_any_session_is_403(world: World) -> None:
    response = world.client().post(
        "/reports/sign-in", data={"email": COMMISSIONER, "password": PASSWORD, "csrf_token": "x"}
    )
    assert response.status_code == 403


def test_sign_out(world: World) -> None:
    client = world.client(COMMISSIONER)
    token = csrf_of(client.get("/reports"))
    assert client.post("/reports/sign-out", data={}).status_code == 403
    assert client.get("/reports").status_code == 200  # a forged sign-out changed nothing
    response = client.post("/reports/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/reports/sign-in"
    assert client.get("/reports", follow_redirects=False).status_code == 303


def test_rate_limit_per_email(world: World) -> None:
    client = world.client()
    for _ in range(5):
        assert sign_in(client, COMMISSIONER, "wrong password!").status_code == 400
    blocked = sign_in(client, COMMISSIONER, PASSWORD)  # even the right password now
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text
    # Another account from the same address is not locked out by these five.
    assert sign_in(client, "admin@council.example", PASSWORD).status_code == 303


def test_rate_limit_window_passes(world: World) -> None:
    client = world.client()
    for _ in range(5):
        sign_in(client, COMMISSIONER, "wrong password!")
    with transaction(world.engine) as db:
        for attempt in db.exec(select(SignInAttempt)).scalars():
            attempt.at = attempt.at - timedelta(minutes=16)
            db.add(attempt)
    assert sign_in(client, COMMISSIONER, PASSWORD).status_code == 303
    with Session(world.engine) as db:
        left = db.exec(select(func.count()).select_from(SignInAttempt)).one()
    assert left == (0,)  # success cleared that email's failures


def test_rate_limit_per_client_address(world: World) -> None:
    client = world.client(limits=Limits(per_email=100, per_client=3))
    for number in range(3):
        assert sign_in(client, f"guess{number}@council.example", "x" * 12).status_code == 400
    assert sign_in(client, COMMISSIONER, PASSWORD).status_code == 429


def test_failed_attempts_store_no_email_or_address(world: World) -> None:
    sign_in(world.client(), COMMISSIONER, "wrong password!")
    with Session(world.engine) as db:
        row = db.exec(select(SignInAttempt)).scalars().one()
    assert "council" not in row.email_key
    assert "testclient" not in row.client_key
    assert len(row.email_key) == 64

"""Server-side sessions: a cookie is only a token, and ending the session ends every copy."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from bot.web.sessions import COOKIE
from storage.db import transaction
from storage.models import SafeguardingFlag, User, UserSession
from storage.sessions import token_hash
from tests.bot.dashboard.conftest import World, csrf_of

COMMISSIONER = "commissioner@council.example"


def sessions(world: World) -> list[UserSession]:
    with Session(world.engine) as db:
        return list(db.exec(select(UserSession)))


def test_the_cookie_is_a_token_whose_hash_alone_is_stored(world: World) -> None:
    client = world.client(COMMISSIONER)
    token = client.cookies[COOKIE]
    assert len(token) == 43
    (row,) = sessions(world)
    assert row.token_hash == token_hash(token)
    assert token not in row.token_hash


def test_a_copied_cookie_is_refused_after_sign_out(world: World) -> None:
    owner = world.client(COMMISSIONER)
    thief = world.client()
    thief.cookies.set(COOKIE, owner.cookies[COOKIE])
    assert thief.get("/reports").status_code == 200  # a copy works while the session lives
    flag_id = world_flag(world)
    stolen_csrf = csrf_of(thief.get("/reports"))
    token = csrf_of(owner.get("/reports"))
    signed_out = owner.post("/reports/sign-out", data={"csrf_token": token})
    assert signed_out.status_code == 200  # followed to the sign-in page
    assert sessions(world) == []
    assert thief.get("/reports", follow_redirects=False).status_code == 303
    form = {"csrf_token": stolen_csrf, "assigned_to": "Mallory", "status": "", "note": ""}
    response = thief.post(f"/flags/{flag_id}", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/reports/sign-in"
    with Session(world.engine) as db:
        assert db.get(SafeguardingFlag, flag_id).assigned_to != "Mallory"  # type: ignore[union-attr]


def world_flag(world: World) -> int:
    with Session(world.engine) as db:
        flag = db.exec(select(SafeguardingFlag)).first()
    assert flag is not None
    assert flag.id is not None
    return flag.id


def test_idle_session_ends(world: World) -> None:
    client = world.client(COMMISSIONER)
    age(world, last_seen=timedelta(minutes=31))
    assert client.get("/reports", follow_redirects=False).status_code == 303


def test_a_used_session_stays_alive(world: World) -> None:
    client = world.client(COMMISSIONER)
    age(world, last_seen=timedelta(minutes=20))
    assert client.get("/reports").status_code == 200
    (row,) = sessions(world)
    assert row.expires_at - row.last_seen_at > timedelta(hours=7)  # the idle clock restarted


def test_absolute_timeout_ends_even_a_busy_session(world: World) -> None:
    client = world.client(COMMISSIONER)
    with transaction(world.engine) as db:
        for row in db.exec(select(UserSession)):
            row.expires_at = row.last_seen_at - timedelta(seconds=1)
            db.add(row)
    assert client.get("/reports", follow_redirects=False).status_code == 303


def test_deactivation_in_the_database_ends_sessions(world: World) -> None:
    client = world.client(COMMISSIONER)
    with transaction(world.engine) as db:
        user = db.exec(select(User).where(User.email == COMMISSIONER)).one()
        user.active = False
        db.add(user)
    assert client.get("/reports", follow_redirects=False).status_code == 303


def test_sessions_are_separate(world: World) -> None:
    first, second = world.client(COMMISSIONER), world.client(COMMISSIONER)
    assert first.cookies[COOKIE] != second.cookies[COOKIE]
    token = csrf_of(first.get("/reports"))
    first.post("/reports/sign-out", data={"csrf_token": token})
    assert second.get("/reports").status_code == 200
    assert len(sessions(world)) == 1


def test_an_unknown_token_is_an_anonymous_visitor(world: World) -> None:
    client = world.client()
    client.cookies.set(COOKIE, "A" * 43)
    assert client.get("/reports", follow_redirects=False).status_code == 303
    assert client.get("/reports/sign-in").status_code == 200


def age(world: World, last_seen: timedelta) -> None:
    with transaction(world.engine) as db:
        for row in db.exec(select(UserSession)):
            row.last_seen_at = row.last_seen_at - last_seen
            row.created_at = row.created_at - last_seen
            db.add(row)

"""Sign-in throttling: counted before the password is checked, growing delays, and a client
address that a forged X-Forwarded-For cannot change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.config.settings import Settings
from bot.web.ratelimit import Limits, delay_after
from storage.db import transaction
from storage.models import SignInAttempt
from tests.bot.dashboard.conftest import PASSWORD, World, sign_in

COMMISSIONER = "commissioner@council.example"
WRONG = "wrong password!"


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 0), (4, 0), (5, 15), (6, 30), (7, 60), (10, 480), (11, 900), (500, 900)],
)
def test_delays_grow_to_a_ceiling(count: int, expected: int) -> None:
    wait = delay_after(count, 5, timedelta(seconds=15), timedelta(minutes=15))
    assert wait == timedelta(seconds=expected)


def shift(world: World, by: timedelta) -> None:
    with transaction(world.engine) as db:
        for attempt in db.exec(select(SignInAttempt)):
            attempt.at = attempt.at - by
            db.add(attempt)


def test_the_sixth_try_waits_and_is_told_how_long(world: World) -> None:
    client = world.client()
    for _ in range(5):
        assert sign_in(client, COMMISSIONER, WRONG).status_code == 400
    blocked = sign_in(client, COMMISSIONER, PASSWORD)
    assert blocked.status_code == 429
    assert "Wait 15 seconds" in blocked.text
    assert 1 <= int(blocked.headers["retry-after"]) <= 15


def test_the_real_user_gets_in_after_the_delay_not_a_lock_out(world: World) -> None:
    client = world.client()
    for _ in range(12):
        sign_in(client, COMMISSIONER, WRONG)
        shift(world, timedelta(minutes=15))  # a patient guesser, one try per ceiling
    assert sign_in(client, COMMISSIONER, WRONG).status_code == 400  # still checked, not locked
    assert sign_in(client, COMMISSIONER, PASSWORD).status_code == 429  # but only every 15 min
    shift(world, timedelta(minutes=15))
    assert sign_in(client, COMMISSIONER, PASSWORD).status_code == 303


def test_a_refused_try_is_not_counted(world: World) -> None:
    client = world.client()
    for _ in range(8):
        sign_in(client, COMMISSIONER, WRONG)
    with Session(world.engine) as db:
        assert len(list(db.exec(select(SignInAttempt)))) == 5


def test_forwarded_for_is_ignored_by_default(world: World) -> None:
    client = world.client(limits=Limits(per_email=100, per_client=3))
    for number in range(3):
        client.headers["X-Forwarded-For"] = f"203.0.113.{number}"
        assert sign_in(client, f"guess{number}@council.example", WRONG).status_code == 400
    client.headers["X-Forwarded-For"] = "198.51.100.77"
    assert sign_in(client, COMMISSIONER, PASSWORD).status_code == 429


def test_forwarded_for_is_believed_from_a_trusted_proxy(world: World) -> None:
    client = world.client(
        limits=Limits(per_email=100, per_client=3), trusted_proxies="10.0.0.0/8", peer="10.1.2.3"
    )
    for number in range(3):
        # The guesser writes a first hop of its own; our proxy appends the address it saw.
        client.headers["X-Forwarded-For"] = f"198.51.100.{number}, 203.0.113.9"
        assert sign_in(client, f"guess{number}@council.example", WRONG).status_code == 400
    client.headers["X-Forwarded-For"] = "198.51.100.200, 203.0.113.9"
    assert sign_in(client, COMMISSIONER, PASSWORD).status_code == 429  # same client: .9
    client.headers["X-Forwarded-For"] = "203.0.113.10"
    assert sign_in(client, COMMISSIONER, PASSWORD).status_code == 303  # another office


def test_a_bad_trusted_proxies_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="not an IP address or CIDR range"):
        Settings(trusted_proxies="10.0.0.0/8, proxy.example")

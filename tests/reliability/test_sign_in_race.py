"""Forty simultaneous guesses at one account, over real HTTP: at most the allowance of
passwords is checked, and the right password among the late guesses does not get in."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import httpx
from sqlmodel import Session, select

from bot.app import create_app
from bot.config.settings import Settings
from bot.web.ratelimit import Limits
from storage.crypto import generate_key
from storage.models import SignInAttempt
from tests.bot.dashboard.conftest import CSRF, PASSWORD, World
from tests.fakes.live_service import LiveService

COMMISSIONER = "commissioner@council.example"
KEY = generate_key()  # one key for the whole run: attempts are counted under keyed hashes


def guesses(world: World, passwords: list[str]) -> Counter[int]:
    """Each password from its own browser, all posted at the same moment to a live service."""
    settings = Settings(database_url=str(world.engine.url), secret_key=KEY, public_url="http://x")
    # A first delay longer than any test run: what is allowed depends on counting, not timing.
    limits = Limits(first_delay=timedelta(hours=1), max_delay=timedelta(hours=1))
    service = LiveService(create_app(settings, world.engine, sign_in_limits=limits)).start()
    clients: list[httpx.Client] = []
    try:
        forms = []
        for password in passwords:
            client = httpx.Client(base_url=service.url, timeout=60)
            clients.append(client)
            found = CSRF.search(client.get("/reports/sign-in").text)
            assert found is not None
            forms.append({"email": COMMISSIONER, "password": password, "csrf_token": found[1]})
        return race(clients, forms)
    finally:
        for client in clients:
            client.close()
        service.stop()


def attempts(world: World) -> int:
    with Session(world.engine) as db:
        return len(list(db.exec(select(SignInAttempt))))


def test_forty_concurrent_guesses_check_at_most_the_allowance(world: World) -> None:
    statuses = guesses(world, [f"guess number {n}" for n in range(40)])
    assert statuses[400] <= 5, statuses
    assert statuses[429] >= 35, statuses
    assert attempts(world) == statuses[400]


def test_the_right_password_in_a_burst_after_the_allowance_does_not_get_in(
    world: World,
) -> None:
    first = guesses(world, [f"first guess {n}" for n in range(5)])
    assert first == Counter({400: 5})
    burst = [PASSWORD if n % 10 == 0 else f"guess number {n}" for n in range(40)]
    statuses = guesses(world, burst)
    assert statuses == Counter({429: 40}), statuses
    assert attempts(world) == 5


def race(clients: list[httpx.Client], forms: list[dict[str, str]]) -> Counter[int]:
    """Post every form at the same moment, one thread each; every thread bounded in time."""
    start = threading.Barrier(len(clients), timeout=30)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def post(client: httpx.Client, form: dict[str, str]) -> None:
        start.wait()
        status = client.post("/reports/sign-in", data=form).status_code
        with lock:
            statuses[status] += 1

    pairs = zip(clients, forms, strict=True)
    threads = [threading.Thread(target=post, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(statuses.values()) == len(clients), statuses
    return statuses

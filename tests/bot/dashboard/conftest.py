"""A running dashboard over the report test data: the service app from ``create_app`` with the
dashboard mounted exactly as bot/app.py mounts it, and one user of every role."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from sqlmodel import select

from bot.app import create_app
from bot.config.settings import Settings
from bot.dashboard.auth import hash_password
from bot.web.ratelimit import Limits
from storage import sealed
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.models import Provider, User
from tests.reports.data import load_fixture

PASSWORD = "correct horse battery staple"
USERS = {
    "commissioner@council.example": ("commissioner", None, None),
    "admin@council.example": ("admin", None, None),
    "sunrise@provider.example": ("provider", "Sunrise Care", None),
    "organiser@forum.example": ("organiser", None, ["pcf_consultation"]),
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(response: Response) -> str:
    found = CSRF.search(response.text)
    assert found, "no CSRF token in the page"
    return found.group(1)


@dataclass
class World:
    engine: Engine
    providers: dict[str, int]
    make: Callable[..., TestClient]
    key: str  # CAREVOICE_SECRET_KEY: the data's, and any service a test makes on it must use it

    def client(self, email: str | None = None, **options: object) -> TestClient:
        client = self.make(**options)
        if email is not None:
            response = sign_in(client, email, PASSWORD)
            assert response.status_code == 303, response.text
        return client


def sign_in(client: TestClient, email: str, password: str) -> Response:
    token = csrf_of(client.get("/reports/sign-in"))
    form = {"email": email, "password": password, "csrf_token": token}
    return client.post("/reports/sign-in", data=form, follow_redirects=False)


def add_users(engine: Engine) -> dict[str, int]:
    with transaction(engine) as session:
        providers = {p.name: p.id for p in session.exec(select(Provider))}
        hashed = hash_password(PASSWORD)
        for email, (role, provider, flows) in USERS.items():
            provider_id = providers[provider] if provider else None
            session.add(
                User(
                    email=email,
                    password_hash=hashed,
                    role=role,
                    provider_id=provider_id,
                    flow_ids=flows,
                    created_at=datetime.now(UTC),
                )
            )
    return {name: pid for name, pid in providers.items() if pid is not None}


@pytest.fixture
def world(db_engine: Engine) -> World:
    key = generate_key()  # one key ring for the data and every app made on it
    sealed.bind(db_engine, Vault.from_setting(key))
    load_fixture(db_engine)
    providers = add_users(db_engine)

    def make(
        public_url: str = "http://testserver",
        limits: Limits | None = None,
        trusted_proxies: str = "",
        peer: str = "testclient",
    ) -> TestClient:
        settings = Settings(
            database_url=str(db_engine.url),
            secret_key=key,
            public_url=public_url,
            trusted_proxies=trusted_proxies,
        )
        app = create_app(settings, db_engine, sign_in_limits=limits)
        return TestClient(app, base_url=public_url, client=(peer, 50000))

    return World(db_engine, providers, make, key)

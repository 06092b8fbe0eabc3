"""Health and readiness of the service, including a database outage."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bot.app import create_app
from bot.config.settings import Settings
from storage.crypto import generate_key
from storage.db import make_engine


def client(engine: Engine) -> TestClient:
    settings = Settings(database_url=str(engine.url), secret_key=generate_key())
    return TestClient(create_app(settings, engine))


def test_healthz(db_engine: Engine) -> None:
    response = client(db_engine).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_migrated(db_engine: Engine) -> None:
    response = client(db_engine).get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_not_ready_when_migrations_are_due(empty_engine: Engine) -> None:
    response = client(empty_engine).get("/readyz")
    assert response.status_code == 503
    assert response.json()["fix"] == "run: carevoice db upgrade"


def test_database_outage_is_503_json_not_a_hang() -> None:
    # Nothing listens on port 1: the connection is refused at once.
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/test")
    response = client(engine).get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "unreachable" in response.json()["database"]


def test_unknown_route_is_json(db_engine: Engine) -> None:
    response = client(db_engine).get("/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_a_page_that_needs_the_database_during_an_outage_is_a_503_page() -> None:
    web = client(make_engine("postgresql+psycopg://postgres@127.0.0.1:1/test"))
    form = web.get("/reports/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    data = {"email": "someone@example.org", "password": "secret", "csrf_token": token[1]}
    response = web.post("/reports/sign-in", data=data)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "the service is busy" in response.text

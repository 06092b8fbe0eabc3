"""Security headers on every response, HSTS behind https, and the API docs page: off by
default, and when on, served entirely from this service."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bot.app import create_app
from bot.config.settings import Settings
from storage.crypto import generate_key

PATHS = [
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/openapi.json"),
    ("GET", "/reports/sign-in"),
    ("POST", "/sms/twilio"),
    ("POST", "/sms/twilio/status"),
    ("GET", "/no-such-page"),
]


def client(engine: Engine, public_url: str = "http://testserver", docs: bool = False) -> TestClient:
    settings = Settings(
        database_url=str(engine.url), secret_key=generate_key(), public_url=public_url,
        api_docs=docs, twilio_auth_token="secret",
    )  # fmt: skip
    return TestClient(create_app(settings, engine), base_url=public_url)


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_every_response_has_security_headers(db_engine: Engine, method: str, path: str) -> None:
    response = client(db_engine).request(method, path)
    assert response.status_code < 500
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    assert "referrer-policy" in headers
    assert "strict-transport-security" not in headers  # plain http: HSTS would mean nothing


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_hsts_when_the_public_url_is_https(db_engine: Engine, method: str, path: str) -> None:
    response = client(db_engine, "https://carevoice.example").request(method, path)
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_a_413_has_the_headers_too(db_engine: Engine) -> None:
    response = client(db_engine).post("/sms/twilio", content=b"x" * 70_000)
    assert response.status_code == 413
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_dashboard_keeps_its_own_policy(db_engine: Engine) -> None:
    policy = client(db_engine).get("/reports/sign-in").headers["content-security-policy"]
    assert "style-src 'self'" in policy


def test_docs_are_off_by_default(db_engine: Engine) -> None:
    web = client(db_engine)
    assert web.get("/docs").status_code == 404
    assert web.get("/redoc").status_code == 404
    assert web.get("/openapi.json").status_code == 200


def test_docs_when_on_load_nothing_from_elsewhere(db_engine: Engine) -> None:
    web = client(db_engine, docs=True)
    page = web.get("/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text
    assert "https://" not in page.text
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert assets
    for asset in assets:
        assert asset.startswith("/docs/assets/"), asset
        fetched = web.get(asset)
        assert fetched.status_code == 200
        assert len(fetched.content) > 100
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_the_webhooks_are_described_as_forms_answering_xml(db_engine: Engine) -> None:
    paths = client(db_engine).get("/openapi.json").json()["paths"]
    inbound = paths["/sms/twilio"]["post"]
    form = inbound["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert set(form["required"]) == {"MessageSid", "From"}
    assert list(inbound["responses"]["200"]["content"]) == ["application/xml"]
    assert {p["name"] for p in inbound["parameters"]} == {"X-Twilio-Signature"}
    status = paths["/sms/twilio/status"]["post"]
    assert "content" not in status["responses"]["204"]
    assert "application/x-www-form-urlencoded" in status["requestBody"]["content"]

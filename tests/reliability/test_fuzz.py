"""Generated input against every route: no response is ever a 5xx.

Schemathesis reads the published OpenAPI schema and sends what it describes and what it does
not (bounded: a few dozen examples per operation). Unsigned webhooks stop at the signature, so
a second fuzzer signs what it generates, exactly as Twilio would, and gets past it to the parser,
the runner and the database: NUL bytes, lone surrogates, overlong ids, odd statuses. The
dashboard's pages are not in the schema, so a third posts generated forms to them, signed in.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, select
from twilio.request_validator import RequestValidator

from bot.app import create_app
from bot.config.settings import Settings
from storage.crypto import generate_key
from storage.models import SafeguardingFlag
from tests.bot.dashboard.conftest import World, csrf_of

PUBLIC = "https://carevoice.example.org"
TOKEN = "fuzzing auth token"
BOUNDED = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def app_client(db_engine: Engine) -> Iterator[TestClient]:
    config = Settings(
        database_url=str(db_engine.url), secret_key=generate_key(), public_url=PUBLIC,
        twilio_auth_token=TOKEN, api_docs=True,
    )  # fmt: skip
    with TestClient(create_app(config, db_engine), base_url=PUBLIC) as client:
        yield client


def test_no_operation_in_the_schema_gives_a_5xx(app_client: TestClient) -> None:
    # Schemathesis's own pytest fixture loader does not work under pytest 9, so each operation
    # of the schema is driven here with its Hypothesis strategy.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app_client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/sms/twilio", "/sms/twilio/status", "/readyz"}
    for operation in operations:

        @BOUNDED
        @given(case=operation.as_strategy())
        def no_5xx(case: Any) -> None:
            response = case.call()
            assert response.status_code < 500, (case.method, case.path, response.text[:200])

        no_5xx()


text = st.text(max_size=300)
ids = st.one_of(st.text(max_size=150), st.from_regex(r"\ASM[0-9a-f]{32}\Z"))


def signed_post(client: TestClient, path: str, form: dict[str, str]) -> int:
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature}).status_code


@BOUNDED
@given(sid=ids, sender=st.one_of(text, st.just("+447700900123")), body=text, opt=text)
def test_signed_inbound_texts_never_give_a_5xx(
    app_client: TestClient, sid: str, sender: str, body: str, opt: str
) -> None:
    form = {"MessageSid": sid, "From": sender, "Body": body, "OptOutType": opt}
    assert signed_post(app_client, "/sms/twilio", form) in {200, 400, 413}


@BOUNDED
@given(sid=ids, status=st.one_of(text, st.sampled_from(["delivered", "failed"])), code=text)
def test_signed_status_callbacks_never_give_a_5xx(
    app_client: TestClient, sid: str, status: str, code: str
) -> None:
    form = {"MessageSid": sid, "MessageStatus": status, "ErrorCode": code}
    assert signed_post(app_client, "/sms/twilio/status", form) in {204, 400, 413}


def test_dashboard_forms_and_addresses_never_give_a_5xx(world: World) -> None:
    client, anonymous = world.client("commissioner@council.example"), world.client()
    token = csrf_of(client.get("/reports"))
    anonymous_token = csrf_of(anonymous.get("/reports/sign-in"))
    with Session(world.engine) as db:
        flag_id = db.exec(select(SafeguardingFlag.id)).first()

    @BOUNDED
    @given(email=text, password=text, path=st.text(max_size=60))
    def no_5xx(email: str, password: str, path: str) -> None:
        form = {"csrf_token": token, "assigned_to": email, "status": password, "note": password}
        assert client.post(f"/flags/{flag_id}", data=form).status_code < 500
        assert client.get("/reports/" + quote(path.lstrip("/"))).status_code < 500
        assert client.get("/flags", params={"status": email}).status_code < 500
        sign_in = {"email": email, "password": password, "csrf_token": anonymous_token}
        assert anonymous.post("/reports/sign-in", data=sign_in).status_code < 500

    no_5xx()

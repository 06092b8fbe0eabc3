"""The ``carevoice`` command run in-process as an operator would, against fake Twilio.

Each test gets its own SQLite database and working directory (so no ``.env`` from the
checkout is read), and the real ``twilio`` client talks to the fake on loopback.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from bot.cli.main import app
from bot.config.wiring import Services
from storage.crypto import generate_key
from storage.models import Address, Outbox
from tests.fakes.twilio_api import FakeTwilio, FakeTwilioServer

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def fake_twilio_cli(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    quiet_hours: str = "21:00-09:00",
    public_url: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> Iterator[FakeTwilio]:
    """Point the CLI's settings at a fresh database in ``tmp_path`` and a fake Twilio.

    ``quiet_hours=""`` lets texts go at any hour; ``public_url`` is needed for web links;
    ``extra`` adds or overrides any other setting.
    """
    server = FakeTwilioServer().start()
    settings = {
        "CAREVOICE_DATABASE_URL": f"sqlite:///{tmp_path / 'carevoice.db'}",
        "CAREVOICE_SECRET_KEY": generate_key(),
        "CAREVOICE_TWILIO_API_URL": server.url,
        "CAREVOICE_QUIET_HOURS": quiet_hours,
        # Fast enough that the send rate never holds a test up.
        "CAREVOICE_SMS_PER_SECOND": "500",
        "TWILIO_ACCOUNT_SID": server.fake.account_sid,
        "TWILIO_AUTH_TOKEN": server.fake.auth_token,
        "TWILIO_FROM_NUMBER": "+447700900999",
    }
    if public_url is not None:
        settings["CAREVOICE_PUBLIC_URL"] = public_url
    settings.update(extra or {})
    try:
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        yield server.fake
    finally:
        server.stop()


def run(*args: str) -> tuple[int, str]:
    """Run one command; its exit code and everything it wrote (stdout, then stderr)."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


def cli(*args: str) -> str:
    """Run one command that must succeed; everything it wrote."""
    code, out = run(*args)
    assert code == 0, out
    return out


def import_examples(*providers: str) -> None:
    """Each provider (Sunrise Care when none is named), with the example contacts."""
    for provider in providers or ("Sunrise Care",):
        cli("providers", "add", provider)
        cli("contacts", "import", str(ROOT / "examples/contacts.csv"), "--provider", provider)


def add_campaign(name: str, schedule: str, *extra: str) -> None:
    """The monthly home-care survey for every provider, from November 2026."""
    cli(
        "campaigns", "add", name, "--flow", "homecare_monthly", "--providers", "all",
        "--schedule", schedule, "--starts", "2026-11-01", *extra,
    )  # fmt: skip


def reminded_numbers() -> Counter[str]:
    """Reminders queued so far, per phone number."""
    services = Services.build()
    with Session(services.engine) as db:
        rows = db.exec(
            select(Address)
            .join(Outbox, col(Outbox.address_id) == Address.id)
            .where(Outbox.kind == "reminder")
        )
        return Counter(services.vault.decrypt(a.encrypted) for a in rows)

"""``carevoice web link`` and ``carevoice invite --channel web --by sms|email``, run as a person
would: the public link and its QR code files; personal links queued and sent by the worker
through fake Twilio or a real SMTP server on loopback (aiosmtpd), each opening the web form
once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.config.settings import Settings
from tests.bot.cli.test_invite import cli, twilio
from tests.bot.safeguarding.test_alerts import Inbox, free_port
from tests.fakes.cli_harness import import_examples
from tests.fakes.twilio_api import FakeTwilio

__all__ = ["twilio"]
LINK = re.compile(r"https://carevoice\.example\.org/s/([A-Za-z0-9_-]{22,})")


def test_web_link_prints_the_public_link_and_writes_qr_codes(twilio: FakeTwilio) -> None:
    code, out = cli("web", "link", "--flow", "pcf_consultation", "--out", "posters")
    assert code == 0, out
    assert "https://carevoice.example.org/f/pcf_consultation" in out
    png = Path("posters/pcf_consultation-qr.png").read_bytes()
    svg = Path("posters/pcf_consultation-qr.svg").read_text()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert "<svg" in svg
    assert "https://carevoice.example.org/f/pcf_consultation" in svg  # its title says what it is
    code, out = cli("web", "link", "--flow", "pcf_consultation", "--provider", "Rolling Wheels")
    assert "/f/pcf_consultation?provider=Rolling%20Wheels" in out
    code, out = cli("web", "link", "--flow", "nope")
    assert code == 1
    assert "no flow 'nope'" in out


def opens_the_form(token: str) -> bool:
    with TestClient(create_app(Settings())) as client:
        page = client.get(f"/s/{token}")
        return page.status_code == 200 and "Start now" in page.text


def test_invite_by_sms_sends_each_person_a_personal_link(twilio: FakeTwilio) -> None:
    import_examples()
    code, out = cli("invite", "--flow", "fft", "--provider", "Sunrise Care", "--channel", "web",
                    "--dry-run")  # fmt: skip
    assert code == 0, out
    assert "4 to invite to the web form" in out
    assert "Answer online:" in out
    code, out = cli("invite", "--flow", "fft", "--provider", "Sunrise Care", "--channel", "web")
    assert code == 0, out
    assert "queued 4 web invitations" in out
    assert cli("worker", "--once")[0] == 0
    assert len(twilio.sent) == 4
    body = twilio.sent[0].body
    assert "Friends and Family Test. Answer online: https://carevoice.example.org/s/" in body
    assert body.endswith("Reply STOP to opt out.")
    tokens = {match.group(1) for sms in twilio.sent if (match := LINK.search(sms.body))}
    assert len(tokens) == 4
    assert opens_the_form(tokens.pop())
    code, out = cli("invite", "--flow", "fft", "--provider", "Sunrise Care", "--channel", "web")
    assert "4 already invited this month" in out


@pytest.fixture
def smtp(twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CAREVOICE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CAREVOICE_SMTP_PORT", str(port))
    monkeypatch.setenv("CAREVOICE_WEB_ORGANISATION", "Northshire Parent Carer Forum")
    try:
        yield handler
    finally:
        controller.stop()


def test_invite_by_email_sends_each_person_a_personal_link(smtp: Inbox, tmp_path: Path) -> None:
    assert cli("providers", "add", "Rolling Wheels")[0] == 0
    people = tmp_path / "families.csv"
    people.write_text("name,email,language\nAmina,amina@example.org,en\nBea,bea@example.org,en\n")
    assert cli("contacts", "import", str(people), "--provider", "Rolling Wheels")[0] == 0
    code, out = cli("invite", "--flow", "pcf_consultation", "--provider", "Rolling Wheels",
                    "--channel", "web", "--by", "email")  # fmt: skip
    assert code == 0, out
    assert "queued 2 web invitations" in out
    assert smtp.received == []  # the worker sends them, at the e-mail lane's rate
    code, out = cli("worker", "--once")
    assert code == 0, out
    assert "amina" not in out
    mails = [message_from_bytes(bytes(m)) if isinstance(m, bytes) else m for m in smtp.received]
    assert sorted(str(m["To"]) for m in mails) == ["amina@example.org", "bea@example.org"]  # type: ignore[index]
    text = str(mails[0])
    assert "Northshire Parent Carer Forum" in text
    match = LINK.search(text)
    assert match
    assert opens_the_form(match.group(1))


def test_invite_by_email_keeps_the_e_mail_while_the_mail_server_is_down(
    twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert cli("providers", "add", "Rolling Wheels")[0] == 0
    people = tmp_path / "families.csv"
    people.write_text("name,email,language\nAmina,amina@example.org,en\n")
    assert cli("contacts", "import", str(people), "--provider", "Rolling Wheels")[0] == 0
    invite = ("invite", "--flow", "fft", "--provider", "Rolling Wheels", "--channel", "web",
              "--by", "email")  # fmt: skip
    code, out = cli(*invite)
    assert code == 1
    assert "set CAREVOICE_SMTP_HOST" in out  # no mail server set: nothing is queued
    monkeypatch.setenv("CAREVOICE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CAREVOICE_SMTP_PORT", str(free_port()))
    assert "queued 1 web invitations" in cli(*invite)[1]
    code, out = cli("worker", "--once")
    assert code == 0, out
    assert "retrying 1" in out
    assert "1 already invited this month" in cli(*invite, "--dry-run")[1]


def test_unknown_channel_and_method(twilio: FakeTwilio) -> None:
    assert "choose sms or web" in cli("invite", "--flow", "fft", "--provider", "X",
                                      "--channel", "fax")[1]  # fmt: skip
    assert "choose sms or email" in cli("invite", "--flow", "fft", "--provider", "X",
                                        "--channel", "web", "--by", "pigeon")[1]  # fmt: skip

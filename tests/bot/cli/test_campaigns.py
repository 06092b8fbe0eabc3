"""Campaigns driven through time with ``carevoice worker --once --now``, as an operator would,
against the fake Twilio API on loopback and a real SQLite database."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.app import create_app
from bot.cli.main import app
from bot.config.wiring import Services
from bot.surveys.schedules import parse_instant
from storage import repository as repo
from storage import sealed
from storage.crypto import Vault
from storage.db import make_engine, transaction
from storage.invitation_links import find
from storage.models import CampaignRun, Contact, Invitation
from tests.bot.channels.email.harness import MailServer, free_port
from tests.bot.channels.web.harness import forms
from tests.fakes.cli_harness import (
    add_campaign,
    cli,
    fake_twilio_cli,
    import_examples,
    reminded_numbers,
    runner,
)
from tests.fakes.telegram_api import FakeTelegram, FakeTelegramServer
from tests.fakes.twilio_api import FakeTwilio

PHONES = [f"+4477009001{n:02d}" for n in range(1, 5)]  # examples/contacts.csv, in order


@pytest.fixture
def twilio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    with fake_twilio_cli(tmp_path, monkeypatch) as fake:
        yield fake


def engine() -> Engine:
    """The CLI's database, with its key ring (who answers on a contact's behalf is sealed)."""
    opened = make_engine("sqlite:///carevoice.db")
    sealed.bind(opened, Vault.from_setting(os.environ["CAREVOICE_SECRET_KEY"]))
    return opened


def preview_json(name: str, at: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(
        cli("campaigns", "preview", name, "--at", at, "--format", "json")
    )
    return result


def invited_to(twilio: FakeTwilio) -> Counter[str]:
    """Invitations per number: a person's first text begins with the intro."""
    return Counter(s.to for s in twilio.sent if "Hello" in s.body)


def test_preview_equals_what_is_then_sent_and_a_rerun_sends_nothing(twilio: FakeTwilio) -> None:
    import_examples()
    add_campaign("Monthly", "monthly, first Tuesday, 10:00")
    shown = json.loads(
        cli("campaigns", "preview", "Monthly", "--at", "2026-12-01", "--format", "json")
    )
    assert shown["period"] == "2026-12-01T10:00"
    assert shown["to_invite"] == 4
    assert shown["by_channel"] == {"sms": 4}
    assert shown["by_provider"] == {"Sunrise Care": 4}
    assert twilio.sent == []
    out = cli("worker", "--once", "--now", "2026-12-01T10:00")
    assert "event=campaign.planned" in out
    assert "+44" not in out  # no addresses in the log
    assert sum(invited_to(twilio).values()) == shown["to_invite"]
    assert set(invited_to(twilio)) == set(PHONES)
    sms_segments = sum(_segments(s.body) for s in twilio.sent)
    assert sms_segments == shown["sms_segments"]
    easy = next(s.body for s in twilio.sent if s.to == PHONES[1])  # Tom reads easy-read
    assert easy in "\n".join(shown["first_messages"]["sms (en-easy)"])
    aled = next(s.body for s in twilio.sent if s.to == PHONES[2])  # his daughter answers
    assert aled.startswith("This survey is for Aled.")
    before = len(twilio.sent)
    cli("worker", "--once", "--now", "2026-12-01T10:05")
    assert len(twilio.sent) == before
    status = cli("campaigns", "status", "Monthly")
    assert "Sunrise Care / sms" in status
    assert "0/4 finished" in status
    cli("contacts", "erase", "07700 900104", "--all", "--yes")  # their campaign run goes too
    assert "0/3 finished" in cli("campaigns", "status", "Monthly")


def _segments(body: str) -> int:
    from bot.channels.sms.format import segments

    return segments(body).count


def test_quiet_hours_hold_invitations_until_morning(twilio: FakeTwilio) -> None:
    import_examples()
    add_campaign("Late", "monthly, first Tuesday, 22:00")
    out = cli("worker", "--once", "--now", "2026-12-01T22:00")
    assert 'reason="quiet hours"' in out
    assert twilio.sent == []
    cli("worker", "--once", "--now", "2026-12-02T09:00")
    assert set(invited_to(twilio)) == set(PHONES)


def test_the_monthly_cap_holds_across_two_campaigns(twilio: FakeTwilio) -> None:
    import_examples()
    add_campaign("First", "monthly, first Tuesday, 10:00")
    add_campaign("Second", "monthly, day 2, 10:00")
    cli("worker", "--once", "--now", "2026-12-01T10:00")
    out = cli("worker", "--once", "--now", "2026-12-02T10:00")
    assert (
        "event=campaign.planned campaign=Second period=2026-12-02T10:00 people=4 monthly_cap=4"
        in out
    )
    assert invited_to(twilio) == Counter(dict.fromkeys(PHONES, 1))
    cli("worker", "--once", "--now", "2027-01-02T10:00")  # January: a new month, a new invitation
    assert invited_to(twilio) == Counter(dict.fromkeys(PHONES, 2))


def test_an_opted_out_and_an_erased_person_are_never_invited(twilio: FakeTwilio) -> None:
    import_examples()
    cli("contacts", "erase", "07700 900104", "--yes")
    services = Services.build()
    services.runner.handle("sms", PHONES[0], "STOP", "SM-stop-1", parse_instant("2026-11-20"))
    add_campaign("Monthly", "monthly, first Tuesday, 10:00")
    shown = json.loads(
        cli("campaigns", "preview", "Monthly", "--at", "2026-12-01", "--format", "json")
    )
    assert shown["to_invite"] == 2
    assert shown["not_invited"] == {"opted out": 1}  # the erased person is not read at all
    cli("worker", "--once", "--now", "2026-12-01T10:00")
    assert set(invited_to(twilio)) == {PHONES[1], PHONES[2]}


def test_one_reminder_only_to_those_who_have_not_answered(twilio: FakeTwilio) -> None:
    import_examples()
    add_campaign(
        "Monthly", "monthly, first Tuesday, 10:00", "--remind-after", "3", "--expire-after", "7"
    )
    cli("worker", "--once", "--now", "2026-12-01T10:00")
    services = Services.build()
    at = parse_instant("2026-12-01T11:00")
    for n, answer in enumerate(["1", "2", "1", "1", "Very kind", "skip"]):  # Margaret finishes
        services.runner.handle("sms", PHONES[0], answer, f"SM-m-{n}", at)
    services.runner.handle("sms", PHONES[1], "1", "SM-t-0", at)  # Tom is part-way through
    services.runner.handle("sms", PHONES[3], "STOP", "SM-s-0", at)  # Sunita opts out
    cli("worker", "--once", "--now", "2026-12-03T10:00")  # not yet three days
    assert sorted(reminded_numbers().elements()) == []
    sent = len(twilio.sent)
    cli("worker", "--once", "--now", "2026-12-04T10:00")
    assert sorted(reminded_numbers().elements()) == [PHONES[2]]  # Aled only
    assert {s.to for s in twilio.sent[sent:]} == {PHONES[2]}
    cli("worker", "--once", "--now", "2026-12-05T10:00")
    assert sorted(reminded_numbers().elements()) == [PHONES[2]]  # at most one
    cli("worker", "--once", "--now", "2026-12-08T10:00")  # expiry after seven days
    with Session(engine()) as db:
        closed = db.exec(select(CampaignRun).where(col(CampaignRun.closed_at).is_not(None)))
        assert len(list(closed)) == 4


def test_status_json_counts_are_cumulative_like_the_bar(twilio: FakeTwilio) -> None:
    import_examples()
    add_campaign("Monthly", "monthly, first Tuesday, 10:00")
    cli("worker", "--once", "--now", "2026-12-01T10:00")
    services = Services.build()
    at = parse_instant("2026-12-01T11:00")
    for n, answer in enumerate(["1", "2", "1", "1", "Very kind", "skip"]):  # Margaret finishes
        services.runner.handle("sms", PHONES[0], answer, f"SM-m-{n}", at)
    services.runner.handle("sms", PHONES[1], "1", "SM-t-0", at)  # Tom is part-way through
    progress = json.loads(cli("campaigns", "status", "Monthly", "--format", "json"))["progress"]
    row = progress["Sunrise Care / sms"]
    assert (row["invited"], row["started"], row["finished"]) == (4, 2, 1)
    assert row["invited"] >= row["delivered"] >= row["started"] >= row["finished"]
    assert "1/4 finished" in cli("campaigns", "status", "Monthly")


def test_dst_and_five_tuesdays_through_the_worker(twilio: FakeTwilio) -> None:
    import_examples()
    add_campaign("Spring", "monthly, first Tuesday, 10:00")
    add_campaign("Last", "monthly, last Tuesday, 10:00", "--ends", "2026-12-31")
    cli("worker", "--once", "--now", "2026-12-01T10:00")  # Spring's December
    cli("worker", "--once", "--now", "2026-12-29T10:00")  # Last's: capped, December has one
    with Session(engine()) as db:
        periods = Counter(r.period for r in db.exec(select(CampaignRun)))
    assert periods == {"2026-12-01T10:00": 4, "2026-12-29T10:00": 4}
    cli("worker", "--once", "--now", "2027-03-02T10:00+00:00")
    cli("worker", "--once", "--now", "2027-04-06T08:59+00:00")  # 09:59 BST: not yet
    assert _invitations("2027-04") == 0
    cli("worker", "--once", "--now", "2027-04-06T09:00+00:00")  # 10:00 BST
    assert _invitations("2027-04") == 4
    assert _invitations("2027-03") == 4


def _invitations(month: str) -> int:
    with Session(engine()) as db:
        return len(list(db.exec(select(Invitation).where(Invitation.month == month))))


def test_a_person_who_prefers_a_web_link_gets_one_by_text(twilio: FakeTwilio) -> None:
    import_examples()
    with Session(engine()) as db:
        tom = db.exec(select(Contact).order_by(col(Contact.id))).all()[1]
        tom.preferred_channel = "web_sms"
        db.add(tom)
        db.commit()
    add_campaign("Monthly", "monthly, first Tuesday, 10:00")
    out = cli("campaigns", "preview", "Monthly", "--at", "2026-12-01")
    assert "web_sms: 1\n" in out
    assert "channel not available" not in out
    cli("worker", "--once", "--now", "2026-12-01T10:00")
    [link] = [s.body for s in twilio.sent if s.to == PHONES[1]]
    assert "/s/" in link  # a personal link to the web form, not a text conversation
    assert "channel not available" not in cli("campaigns", "status", "Monthly")


def test_list_show_pause_resume_remove(twilio: FakeTwilio) -> None:
    import_examples()
    add_campaign("Monthly", "0 10 * * 2#1")
    assert "Monthly  [active]" in cli("campaigns", "list")
    assert "schedule: 0 10 * * 2#1" in cli("campaigns", "show", "Monthly")
    cli("campaigns", "pause", "Monthly")
    cli("worker", "--once", "--now", "2026-12-01T10:00")
    assert twilio.sent == []
    cli("campaigns", "resume", "Monthly")
    cli("worker", "--once", "--now", "2026-12-01T10:00")
    assert len(invited_to(twilio)) == 4
    cli("campaigns", "remove", "Monthly")
    assert "no campaigns yet" in cli("campaigns", "list")
    bad = runner.invoke(
        app,
        ["campaigns", "add", "X", "--flow", "homecare_monthly", "--providers", "Nobody",
         "--schedule", "monthly, day 1, 10:00"],
    )  # fmt: skip
    assert bad.exit_code == 1
    assert "no provider called 'Nobody'" in bad.stderr


def test_a_throttle_paces_the_invitations_and_is_shown(twilio: FakeTwilio) -> None:
    import_examples()
    add_campaign("Paced", "monthly, first Tuesday, 10:00", "--throttle", "sms=60/h")  # one a minute
    assert "throttles: sms=60/h" in cli("campaigns", "show", "Paced")
    shown = json.loads(cli("campaigns", "show", "Paced", "--format", "json"))
    assert shown["throttles"] == {"sms": 60.0}
    assert preview_json("Paced", "2026-12-01")["to_invite"] == 4  # paced, not fewer
    sent = []
    for at in ("10:00", "10:00:30", "10:01", "10:05"):
        cli("worker", "--once", "--now", f"2026-12-01T{at}")
        sent.append(sum(invited_to(twilio).values()))
    assert sent == [1, 1, 2, 3]
    assert "waiting 1" in cli("campaigns", "status", "Paced")
    bad = runner.invoke(
        app,
        ["campaigns", "add", "X", "--flow", "homecare_monthly", "--providers", "all",
         "--schedule", "monthly, day 1, 10:00", "--throttle", "sms=lots"],
    )  # fmt: skip
    assert bad.exit_code == 1
    assert "write channel=count/period, e.g. sms=300/h" in bad.stderr


EVERY_ROUTE = """name,phone,telegram,email,language,easy_read,preferred_channel
Margaret Jones,07700 900101,,,en,no,
Tom Okafor,+44 7700 900102,4242,,en,no,telegram
Aled Pritchard,07700900103,,,en,yes,web_sms
Sunita Shah,,,sunita@example.org,en,no,
Bea Evans,07700 900105,,bea@example.org,en,no,web_email
"""


@pytest.fixture
def every_channel(
    twilio: FakeTwilio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeTwilio, FakeTelegram, MailServer]]:
    """Fake Twilio, fake Telegram and a real SMTP server (aiosmtpd), all on loopback."""
    telegram = FakeTelegramServer().start()
    mail = MailServer(port=free_port())
    controller = Controller(mail, hostname="127.0.0.1", port=mail.port)
    controller.start()
    for name, value in {
        "CAREVOICE_TELEGRAM_API_URL": telegram.url, "TELEGRAM_BOT_TOKEN": telegram.fake.token,
        "CAREVOICE_TELEGRAM_PER_SECOND": "1000", "CAREVOICE_TELEGRAM_PER_CHAT_PER_SECOND": "1000",
        "CAREVOICE_SMTP_HOST": "127.0.0.1", "CAREVOICE_SMTP_PORT": str(mail.port),
        "CAREVOICE_EMAIL_PER_SECOND": "1000", "CAREVOICE_PUBLIC_URL": "https://cv.example.org",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    try:
        yield twilio, telegram.fake, mail
    finally:
        controller.stop()
        telegram.stop()


def test_preview_equals_what_is_sent_on_every_route(
    every_channel: tuple[FakeTwilio, FakeTelegram, MailServer], tmp_path: Path
) -> None:
    twilio, telegram, mail = every_channel
    people = tmp_path / "people.csv"
    people.write_text(EVERY_ROUTE)
    cli("providers", "add", "Sunrise Care")
    cli("contacts", "import", str(people), "--provider", "Sunrise Care")
    add_campaign("Monthly", "monthly, first Tuesday, 10:00")
    shown = preview_json("Monthly", "2026-12-01")
    assert shown["by_channel"] == {"sms": 1, "telegram": 1, "web_email": 2, "web_sms": 1}
    assert shown["not_available"] == []
    out = cli("worker", "--once", "--now", "2026-12-01T10:00")
    assert "example.org" not in out  # no addresses in the log
    texted = Counter(s.to for s in twilio.sent)
    sent = {
        "sms": sum(1 for s in twilio.sent if "Hello" in s.body),
        "web_sms": sum(1 for s in twilio.sent if "/s/" in s.body),
        "telegram": sum(1 for c in telegram.calls if c.method == "sendMessage"
                        and str(c.params.get("text", "")).startswith("Hello")),
        "web_email": len(mail.received),
    }  # fmt: skip
    assert sent == shown["by_channel"]
    assert shown["sms_segments"] == sum(_segments(s.body) for s in twilio.sent)
    assert set(texted) == {"+447700900101", "+447700900103"}  # Bea's phone was not used
    assert sorted(str(m["To"]) for m in mail.received) == ["bea@example.org", "sunita@example.org"]
    [preview] = shown["first_messages"]["web_email (en)"]
    plain = mail.received[0].get_body(("plain",))
    assert plain is not None
    wire = plain.get_content().replace("\r\n", "\n")  # SMTP's line endings
    sent_text = re.sub(r"https://cv\.example\.org/s/\S+", "<personal link>", wire)
    sent_text = re.sub(r"https://cv\.example\.org/u/\S+", "<unsubscribe link>", sent_text)
    assert sent_text.strip() == preview.strip()
    [easy] = shown["first_messages"]["web_sms (en-easy)"]
    [link_text] = [s.body for s in twilio.sent if s.to == "+447700900103"]
    assert re.sub(r"https://cv\.example\.org/s/\S+", "<personal link>", link_text) == easy
    progress = json.loads(cli("campaigns", "status", "Monthly", "--format", "json"))["progress"]
    assert {label: row["invited"] for label, row in progress.items()} == {
        f"Sunrise Care / {route}": n for route, n in shown["by_channel"].items()
    }


LINK_PEOPLE = """name,phone,telegram,email,language,easy_read,preferred_channel
Aled Pritchard,07700900103,,,en,no,web_sms
Sunita Shah,,,sunita@example.org,en,no,
Bea Evans,07700 900105,,bea@example.org,en,no,web_email
Cara Lewis,,,cara@example.org,en,no,
"""
LINK = re.compile(r"https://cv\.example\.org/s/[A-Za-z0-9_-]+")


def test_one_web_link_reminder_resends_the_same_link_the_same_way(
    every_channel: tuple[FakeTwilio, FakeTelegram, MailServer], tmp_path: Path
) -> None:
    twilio, _, mail = every_channel
    people = tmp_path / "people.csv"
    people.write_text(LINK_PEOPLE)
    cli("providers", "add", "Sunrise Care")
    cli("contacts", "import", str(people), "--provider", "Sunrise Care")
    add_campaign(
        "Monthly", "monthly, first Tuesday, 10:00", "--remind-after", "3", "--expire-after", "7"
    )
    cli("worker", "--once", "--now", "2026-12-01T10:00")
    [aled_link] = LINK.findall(twilio.sent[0].body)
    links = {str(m["To"]): LINK.findall(_plain(m))[0] for m in mail.received}
    assert set(links) == {"sunita@example.org", "bea@example.org", "cara@example.org"}
    services = Services.build()  # Bea says STOP by text: no e-mail either
    services.runner.handle("sms", "+447700900105", "STOP", "SM-b-0", parse_instant("2026-12-01"))
    _open(services, links["cara@example.org"])  # Cara is part-way through on the web form
    texts, mails = len(twilio.sent), len(mail.received)
    cli("worker", "--once", "--now", "2026-12-03T10:00")  # not yet three days
    cli("worker", "--once", "--now", "2026-12-04T22:00")  # due, but in quiet hours
    assert (len(twilio.sent), len(mail.received)) == (texts, mails)
    cli("worker", "--once", "--now", "2026-12-05T09:00")
    [text] = twilio.sent[texts:]
    assert text.to == "+447700900103"
    assert text.body.startswith("A reminder:")
    assert LINK.findall(text.body) == [aled_link]
    [again] = mail.received[mails:]
    assert str(again["To"]) == "sunita@example.org"
    assert "A reminder:" in _plain(again)
    assert LINK.findall(_plain(again)) == [links["sunita@example.org"]]
    cli("worker", "--once", "--now", "2026-12-06T10:00")
    assert (len(twilio.sent), len(mail.received)) == (texts + 1, mails + 1)  # at most one
    cli("worker", "--once", "--now", "2026-12-08T10:00")  # the survey expires
    with Session(engine()) as db:
        runs = list(db.exec(select(CampaignRun)))
        assert all(r.closed_at is not None and r.link_encrypted is None for r in runs)
        token = links["sunita@example.org"].rsplit("/", 1)[1]
        assert find(db, token, parse_instant("2026-12-08T10:00")).refusal == "expired"


def _plain(message: Any) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _open(services: Services, link: str) -> None:
    """Start the survey from the personal link, as a browser would, without answering."""
    with TestClient(create_app(services.settings), base_url="https://cv.example.org") as client:
        page = client.get(link)
        assert page.status_code == 200, page.text
        action, hidden = forms(page.text)[0]
        assert client.post(action, data=hidden).status_code == 200
    with Session(services.engine) as db:
        assert db.exec(select(Invitation).where(col(Invitation.used_at).is_not(None))).first()


UNDONE = """name,phone,telegram,email,language,easy_read,preferred_channel
Margaret Jones,07700 900101,,,en,no,
Rhys Owen,07700 900106,,rhys@example.org,en,no,
Sian Bell,07700 900107,,sian@example.org,en,no,
"""


def test_planning_applies_the_outboxs_stop_and_start_rule(
    every_channel: tuple[FakeTwilio, FakeTelegram, MailServer], tmp_path: Path
) -> None:
    twilio, _, mail = every_channel
    people = tmp_path / "people.csv"
    people.write_text(UNDONE)
    cli("providers", "add", "Sunrise Care")
    cli("contacts", "import", str(people), "--provider", "Sunrise Care")
    services = Services.build()
    with transaction(services.engine) as db:  # unsubscribed by e-mail; Rhys undid it
        for email, undone in (("rhys@example.org", True), ("sian@example.org", False)):
            hashes = services.vault.lookup_hashes("email", email)
            repo.set_opt_out(db, "email", hashes, True, "unsubscribe", parse_instant("2026-11-02"))
            if undone:
                repo.set_opt_out(db, "email", hashes, False, "undo", parse_instant("2026-11-03"))
    add_campaign("Monthly", "monthly, first Tuesday, 10:00")
    shown = preview_json("Monthly", "2026-12-01")
    # Rhys's texts stay stopped by his e-mail STOP; the address he re-enabled serves.
    assert shown["by_channel"] == {"sms": 1, "web_email": 1}
    assert shown["not_invited"] == {"opted out": 1}
    cli("worker", "--once", "--now", "2026-12-01T10:00")
    assert {s.to for s in twilio.sent} == {"+447700900101"}
    assert [str(m["To"]) for m in mail.received] == ["rhys@example.org"]
    progress = json.loads(cli("campaigns", "status", "Monthly", "--format", "json"))["progress"]
    assert (
        progress["Sunrise Care / sms"]["invited"],
        progress["Sunrise Care / web_email"]["invited"],
    ) == (1, 1)

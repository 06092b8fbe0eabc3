"""The e-mail channel end to end on SQLite and PostgreSQL: a personal link by e-mail through the
outbox's e-mail lane to a real SMTP server on loopback (aiosmtpd), its plain-text and HTML
parts, the link opening the web form, and the unsubscribe link (page and button, and a mail
program's one-click) stopping the person on every channel. SMTP refusals in neutral words."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import quote

import pytest
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from bot.channels.base import Failure
from bot.channels.email.sender import failure_for
from bot.channels.email.tokens import PURPOSE, make_token, read_token
from bot.channels.registry import build_registry
from bot.config.settings import Settings
from bot.surveys.campaign_routes import Invite, LinkRoute
from bot.surveys.campaigns import parse_order, plan
from storage import campaigns as store
from storage import repository as repo
from storage.crypto import SEALED_PREFIX, Vault, generate_key
from storage.db import transaction
from storage.models import Campaign, Outbox
from tests.bot.channels.email.harness import MORNING, MailServer, MailWorld, mail_settings

EMAIL, PHONE = "amina.khan@example.org", "+447700900211"
PERSONAL = re.compile(r"http://carevoice\.example\.org/s/([A-Za-z0-9_-]{22,})")
UNSUBSCRIBE = re.compile(r"http://carevoice\.example\.org(/u/[A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def invite_by_email(world: MailWorld, contact_id: int) -> None:
    route = LinkRoute(
        "web_email", "email", build_registry(world.settings), world.settings.public_url
    )
    assert route.available()
    with transaction(world.engine) as db:
        [person] = store.people(db, None, [contact_id])
        invite = Invite(person, "homecare_monthly", "en", "2026-12", MORNING, None,
                        MORNING + timedelta(days=7))  # fmt: skip
        route.invite_many(db, [invite])


def parts(mail: EmailMessage) -> tuple[str, str]:
    assert mail.get_content_type() == "multipart/alternative"
    plain, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None
    assert html is not None
    return str(plain.get_content()), str(html.get_content())


def test_an_e_mail_invitation_has_both_parts_a_working_link_and_unsubscribe(
    mail_world: MailWorld, mail_server: MailServer
) -> None:
    contact_id = mail_world.person({"email": EMAIL, "sms": PHONE})
    invite_by_email(mail_world, contact_id)
    summary = mail_world.worker().drain(lambda: MORNING)
    assert summary.sent == 1
    [mail] = mail_server.received
    assert mail["To"] == EMAIL
    assert mail["From"] == "surveys@northshire.example"
    assert str(mail["Subject"]).strip() == (
        "Northshire would like to know what you think of your care from Sunrise Care"
    )
    plain, html = parts(mail)
    link = PERSONAL.search(plain)
    assert link is not None
    assert f'<a href="{link.group(0)}">' in html
    header = UNSUBSCRIBE.search(str(mail["List-Unsubscribe"]))
    assert header is not None
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header.group(0) in plain
    assert f'<a href="{header.group(0)}">' in html
    with Session(mail_world.engine) as db:
        [row] = db.exec(select(Outbox)).all()
        assert (row.channel, row.status, row.external_id) == ("email", "sent", mail["Message-ID"])

    with mail_world.client() as browser:
        opened = browser.get(f"/s/{link.group(1)}")
        assert opened.status_code == 200
        assert "Start now" in opened.text
        page = browser.get(header.group(1))
        assert page.status_code == 200
        assert "Unsubscribe from surveys" in page.text
        assert EMAIL not in page.text
        token = CSRF.search(page.text)
        assert token is not None
        with Session(mail_world.engine) as db:
            assert not _stopped(mail_world, db, "email", EMAIL)  # showing the page stops nobody
        forged = browser.post(header.group(1), data={"csrf_token": "not-this-one"})
        assert forged.status_code == 403
        done = browser.post(header.group(1), data={"csrf_token": token.group(1)})
        assert done.status_code == 200
        assert "You have unsubscribed" in done.text
        again = browser.post(header.group(1), data={"csrf_token": token.group(1)})
        assert again.status_code == 200  # a second press changes nothing and says the same
    with Session(mail_world.engine) as db:
        # STOP's meaning: the e-mail address and every other address of the person.
        assert _stopped(mail_world, db, "email", EMAIL)
        assert _stopped(mail_world, db, "sms", PHONE)
        campaign = Campaign(name="M", flow_id="homecare_monthly", schedule="daily, 10:00",
                            created_at=MORNING)  # fmt: skip
        order = parse_order("sms,web_email")
        [planned] = plan(db, campaign, "2027-01", order, cap=1)
        assert planned.reason == "opted out"
    with mail_world.client() as browser:  # unsubscribing again, then undoing it
        page = browser.get(header.group(1))
        token = CSRF.search(page.text)
        assert token is not None
        done = browser.post(header.group(1), data={"csrf_token": token.group(1)})
        undo = CSRF.search(done.text)
        assert undo is not None
        assert "Get surveys by e-mail again" in done.text
        again = browser.post(f"{header.group(1)}/again", data={"csrf_token": "forged"})
        assert again.status_code == 403
        again = browser.post(f"{header.group(1)}/again", data={"csrf_token": undo.group(1)})
        assert again.status_code == 200
        assert "You are subscribed again" in again.text
    with Session(mail_world.engine) as db:
        # START's meaning: only the address it came from; the text messages stay stopped.
        assert not _stopped(mail_world, db, "email", EMAIL)
        assert _stopped(mail_world, db, "sms", PHONE)


def _stopped(world: MailWorld, db: Session, channel: str, address: str) -> bool:
    return repo.is_opted_out(db, channel, world.vault.lookup_hashes(channel, address))


def test_a_mail_programs_one_click_unsubscribes_without_a_cookie(
    mail_world: MailWorld, mail_server: MailServer
) -> None:
    contact_id = mail_world.person({"email": EMAIL})
    invite_by_email(mail_world, contact_id)
    invite_by_email(mail_world, mail_world.person({"email": "bea@example.org"}))
    mail_world.worker().drain(lambda: MORNING)
    mine = next(m for m in mail_server.received if m["To"] == EMAIL)
    found = UNSUBSCRIBE.search(str(mine["List-Unsubscribe"]))
    assert found is not None
    with mail_world.client() as mail_program:
        answer = mail_program.post(found.group(1), data={"List-Unsubscribe": "One-Click"})
        assert answer.status_code == 200
        tampered = found.group(1)[:-6] + (
            "AAAAAA" if not found.group(1).endswith("AAAAAA") else "BBBBBB"
        )
        assert mail_program.get(tampered).status_code == 404
        assert (
            mail_program.post(tampered, data={"List-Unsubscribe": "One-Click"}).status_code == 404
        )
        assert mail_program.get("/u/nonsense").status_code == 404
    with Session(mail_world.engine) as db:
        assert _stopped(mail_world, db, "email", EMAIL)
        assert not _stopped(mail_world, db, "email", "bea@example.org")
    # Queued before the click, sent after it: the outbox finds the opt-out and sends nothing.
    invite_by_email(mail_world, contact_id)
    summary = mail_world.worker().drain(lambda: MORNING + timedelta(minutes=5))
    assert (summary.sent, summary.suppressed) == (0, 1)


BOUNDARY = "----carevoice7MA4YWxkTrZu0gW"
ONE_CLICK_MULTIPART = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n'
    "One-Click\r\n"
    f"--{BOUNDARY}--\r\n"
).encode()
MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"List-Unsubscribe=One-Click", {"content-type": "application/x-www-form-urlencoded"}),
        (ONE_CLICK_MULTIPART, MULTIPART),
    ],
    ids=["form-encoded", "multipart"],
)
def test_a_one_click_is_understood_in_either_form_encoding(
    mail_world: MailWorld, mail_server: MailServer, body: bytes, headers: dict[str, str]
) -> None:
    invite_by_email(mail_world, mail_world.person({"email": EMAIL, "sms": PHONE}))
    mail_world.worker().drain(lambda: MORNING)
    found = UNSUBSCRIBE.search(str(mail_server.received[0]["List-Unsubscribe"]))
    assert found is not None
    with mail_world.client() as mail_program:  # no cookie, no CSRF token: RFC 8058
        answer = mail_program.post(found.group(1), content=body, headers=headers)
    assert answer.status_code == 200
    assert "You have unsubscribed" in answer.text
    with Session(mail_world.engine) as db:
        assert _stopped(mail_world, db, "email", EMAIL)
        assert _stopped(mail_world, db, "sms", PHONE)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"List-Unsubscribe": "One-Click"}', "application/json", 415),
        (b"List-Unsubscribe=One-Click", "text/plain", 415),
        (ONE_CLICK_MULTIPART, "multipart/form-data", 400),  # no boundary
        (b"--nothing like the boundary", MULTIPART["content-type"], 400),
        (
            ONE_CLICK_MULTIPART.replace(
                b'name="List-Unsubscribe"', b'name="List-Unsubscribe"; filename="x.txt"'
            ),
            MULTIPART["content-type"],
            400,
        ),
    ],
    ids=["json", "text", "no-boundary", "broken", "a-file"],
)
def test_any_other_body_is_refused_clearly_and_unsubscribes_nobody(
    mail_world: MailWorld, mail_server: MailServer, body: bytes, content_type: str, status: int
) -> None:
    invite_by_email(mail_world, mail_world.person({"email": EMAIL}))
    mail_world.worker().drain(lambda: MORNING)
    found = UNSUBSCRIBE.search(str(mail_server.received[0]["List-Unsubscribe"]))
    assert found is not None
    with mail_world.client() as mail_program:
        answer = mail_program.post(
            found.group(1), content=body, headers={"content-type": content_type}
        )
    assert answer.status_code == status
    assert "could not read that" in answer.text
    with Session(mail_world.engine) as db:
        assert not _stopped(mail_world, db, "email", EMAIL)


@pytest.mark.parametrize(
    ("reply", "status", "counted"),
    [
        ("450 4.2.1 Mailbox busy, try later", "queued", "retried"),
        ("550 5.1.1 No such user", "invalid", "invalid"),
    ],
)
def test_a_4xx_is_tried_again_and_a_5xx_marks_the_address_invalid(
    mail_world: MailWorld, mail_server: MailServer, reply: str, status: str, counted: str
) -> None:
    invite_by_email(mail_world, mail_world.person({"email": EMAIL}))
    mail_server.refuse_recipient = reply
    summary = mail_world.worker().drain(lambda: MORNING)
    assert mail_server.received == []
    assert {"retried": summary.retried, "invalid": len(summary.invalid)}[counted] == 1
    with Session(mail_world.engine) as db:
        [row] = db.exec(select(Outbox)).all()
        assert row.status == status
        assert EMAIL not in (row.last_error or "")
    if status == "queued":
        assert row.send_after > MORNING  # backed off; then the server takes it
        mail_server.refuse_recipient = None
        assert mail_world.worker().drain(lambda: row.send_after).sent == 1
        assert [m["To"] for m in mail_server.received] == [EMAIL]


@pytest.mark.parametrize(
    ("code", "on_recipient", "kind"),
    [
        (421, False, Failure.RETRY_LATER),
        (452, True, Failure.RETRY_LATER),
        (550, True, Failure.INVALID_ADDRESS),
        (553, True, Failure.INVALID_ADDRESS),
        (552, False, Failure.REJECTED),
        (554, False, Failure.REJECTED),
    ],
)
def test_smtp_replies_in_neutral_words(code: int, on_recipient: bool, kind: Failure) -> None:
    assert failure_for(code, on_recipient) == kind


def test_a_mail_server_that_is_down_keeps_the_message(mail_world: MailWorld) -> None:
    invite_by_email(mail_world, mail_world.person({"email": EMAIL}))
    world = MailWorld(
        mail_settings(mail_world.engine, 1, secret_key=mail_world.settings.secret_key),
        mail_world.engine, mail_world.vault, mail_world.service,
    )  # fmt: skip
    assert world.worker().drain(lambda: MORNING).retried == 1


def test_tokens_are_the_address_sealed_for_this_purpose_only() -> None:
    vault = Vault.from_setting(generate_key())
    token = make_token(vault, EMAIL)
    assert EMAIL not in token
    assert read_token(vault, token) == EMAIL
    assert read_token(Vault.from_setting(generate_key()), token) is None
    stored = vault.encrypt(EMAIL)  # an address as stored, bare or shaped like a token
    for ciphertext in (stored, stored.removeprefix(SEALED_PREFIX)):
        assert read_token(vault, ciphertext.decode().rstrip("=")) is None
    assert read_token(vault, make_token(vault, "a@b")) == "a@b"  # the shortest still fits
    # A link sent before values were sealed with AES-GCM (a Fernet token) still works.
    fernet_link = Fernet(vault.keys[0]).encrypt(f"{PURPOSE}{EMAIL}".encode()).decode()
    assert read_token(vault, fernet_link.rstrip("=")) == EMAIL
    assert ":" not in token
    rotated = Vault.from_setting(f"{generate_key()},{vault.keys[0]}")
    assert read_token(rotated, token) == EMAIL  # an old link works while the old key is kept


def test_the_channel_is_registered_only_with_a_mail_server() -> None:
    assert "email" not in build_registry(Settings(smtp_host=""))
    channel = build_registry(Settings(smtp_host="mail.example.org")).get("email")
    assert channel.opt_out_line("en") == ""
    assert channel.capabilities.sends


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    token=st.one_of(st.text(max_size=300), st.from_regex(r"[A-Za-z0-9_-]{80,200}", fullmatch=True)),
    body=st.one_of(st.binary(max_size=600), st.just(ONE_CLICK_MULTIPART)),
    post=st.booleans(),
    kind=st.sampled_from(
        [
            None,
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            MULTIPART["content-type"],
            "application/json",
        ]
    ),
)
def test_whatever_arrives_at_the_unsubscribe_page_is_never_a_5xx(
    mail_world: MailWorld, token: str, body: bytes, post: bool, kind: str | None
) -> None:
    headers = {"content-type": kind} if kind else {}
    with mail_world.client() as client:
        path = f"/u/{quote(token, safe='')}"
        answer = client.post(path, content=body, headers=headers) if post else client.get(path)
    assert answer.status_code < 500
    assert answer.status_code in {200, 400, 403, 404, 405, 413, 415}

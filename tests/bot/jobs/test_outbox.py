"""The outbox worker over the real SMS channel (real twilio client, fake Twilio on loopback) and
a second channel with its own rate: lanes, quiet hours, neutral failures, retry_after."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from bot.channels.base import Capabilities, Failure, OptWords, Rendered, SendResult
from bot.channels.registry import build_registry
from bot.channels.text import plain_text
from bot.config.settings import vault_for
from bot.jobs.outbox import OutboxWorker
from bot.surveys.catalog import FlowCatalog
from bot.surveys.inbound import Inbound
from bot.surveys.runner import Runner
from flows.events import Message
from storage import repository as repo
from storage.db import transaction
from storage.models import Contact, OptOut, Outbox, Provider
from tests.bot.channels.sms.harness import SmsWorld

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.config.wiring import Services

PHONES = ["+447700900301", "+447700900302", "+447700900303", "+447700900304"]
EVENING = datetime(2026, 10, 14, 20, 5, tzinfo=UTC)  # 21:05 in London (BST): quiet hours


@dataclass
class PigeonChannel:
    """A second channel for the worker's lanes: it keeps what it was given, and its carrier
    may ask for a pause (``retry_after``), as Telegram's flood control does."""

    name: str = "pigeon"
    capabilities: Capabilities = field(
        default_factory=lambda: Capabilities(buttons=True, per_second=1000)
    )
    opt_words: OptWords = field(default_factory=OptWords)
    delivered: list[tuple[str, str]] = field(default_factory=list)
    busy_for: float | None = None

    def render(self, message: Message, *, unicode: bool = False) -> Rendered:
        return Rendered((plain_text(message),))

    def opt_out_line(self, language: str) -> str:
        return ""

    def send(self, address: str, message: Message, *, unicode: bool = False) -> SendResult:
        if self.busy_for is not None:
            wait, self.busy_for = self.busy_for, None
            return SendResult.failed(Failure.RETRY_LATER, "flood control", retry_after=wait)
        self.delivered.append((address, self.render(message).parts[0]))
        return SendResult.sent(f"P{len(self.delivered)}")

    def router(self, services: Services) -> APIRouter | None:
        return None


def runner_for(world: SmsWorld) -> Runner:
    return Runner(world.engine, vault_for(world.settings), FlowCatalog.load())


def invite(world: SmsWorld, channel: str, phones: list[str], at: datetime) -> None:
    runner = runner_for(world)
    with transaction(world.engine) as db:
        provider = Provider(name=f"Care {channel}", created_at=at)
        db.add(provider)
        db.flush()
        contact_ids = []
        for _ in phones:
            contact = Contact(provider_id=provider.id or 0, created_at=at)
            db.add(contact)
            db.flush()
            contact_ids.append(contact.id)
    for phone, contact_id in zip(phones, contact_ids, strict=True):
        runner.start_for(channel, phone, "homecare_monthly", at, contact_id=contact_id)


def statuses(world: SmsWorld) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with Session(world.engine) as db:
        for row in db.exec(select(Outbox).order_by(Outbox.id)):  # type: ignore[arg-type]
            found.setdefault(row.kind, []).append(row.status)
    return found


def test_in_quiet_hours_replies_go_out_and_invitations_wait(sms_world: SmsWorld) -> None:
    invite(sms_world, "sms", PHONES[:1], EVENING)
    # Someone texts at 21:05 and their reply is queued (as a channel without inline replies does).
    runner_for(sms_world).receive(
        Inbound("sms", PHONES[1], "SMlate", EVENING, text="FEEDBACK"), inline=False
    )
    vault = vault_for(sms_world.settings)
    worker = OutboxWorker(sms_world.engine, vault, build_registry(sms_world.settings))
    assert worker.drain(lambda: EVENING).sent == 2  # the FFT survey's intro and question
    assert {s.to for s in sms_world.twilio.sent} == {PHONES[1]}
    assert statuses(sms_world)["invitation"] == ["queued", "queued"]
    assert worker.drain(lambda: EVENING + timedelta(hours=12)).sent == 2
    assert sms_world.twilio.texts_to(PHONES[0])[1].startswith("Do your care workers arrive")


def test_one_lane_per_channel_each_rendering_its_own_messages(sms_world: SmsWorld) -> None:
    pigeon = PigeonChannel()
    invite(sms_world, "sms", PHONES[:1], EVENING)
    invite(sms_world, "pigeon", ["loft 7"], EVENING)
    channels = [*build_registry(sms_world.settings), pigeon]
    worker = OutboxWorker(sms_world.engine, vault_for(sms_world.settings), channels, quiet_hours="")
    assert worker.drain(lambda: EVENING).sent == 4
    assert len(sms_world.twilio.texts_to(PHONES[0])) == 2
    assert [address for address, _ in pigeon.delivered] == ["loft 7", "loft 7"]
    # Stored as the engine's message, rendered by the channel: SMS made the quotes GSM-safe.
    assert pigeon.delivered[1][1] == sms_world.twilio.texts_to(PHONES[0])[1]


def test_a_carriers_retry_after_pauses_that_lane_only(sms_world: SmsWorld) -> None:
    pigeon = PigeonChannel(busy_for=90)
    invite(sms_world, "sms", PHONES[:1], EVENING)
    invite(sms_world, "pigeon", ["loft 7"], EVENING)
    channels = [*build_registry(sms_world.settings), pigeon]
    worker = OutboxWorker(sms_world.engine, vault_for(sms_world.settings), channels, quiet_hours="")
    summary = worker.drain(lambda: EVENING)
    assert (summary.sent, summary.retried) == (2, 1)  # both texts; pigeon paused after one try
    assert pigeon.delivered == []
    assert worker.drain(lambda: EVENING + timedelta(seconds=60)).sent == 0  # still paused
    assert worker.drain(lambda: EVENING + timedelta(seconds=91)).sent == 2
    assert len(pigeon.delivered) == 2


def test_neutral_failures(sms_world: SmsWorld) -> None:
    gone, invalid, refused, busy = PHONES
    sms_world.twilio.opted_out.add(gone)
    sms_world.twilio.invalid.add(invalid)
    sms_world.twilio.refused[refused] = 21606
    sms_world.twilio.busy[busy] = 1
    invite(sms_world, "sms", PHONES, EVENING)
    vault = vault_for(sms_world.settings)
    channels = build_registry(sms_world.settings)
    worker = OutboxWorker(sms_world.engine, vault, channels, quiet_hours="")
    summary = worker.drain(lambda: EVENING)
    # The second text to the one who is gone is cancelled before it is tried.
    assert (summary.suppressed, len(summary.invalid), summary.failed) == (1, 2, 2)
    assert (summary.sent, summary.retried) == (1, 1)
    with Session(sms_world.engine) as db:
        opted_out = list(db.exec(select(OptOut)))
        by_status = sorted(o.status for o in db.exec(select(Outbox)))
    # Recipient gone: that address opted out (keyword says who told us), its queue cancelled.
    assert [(o.channel, o.active, o.keyword) for o in opted_out] == [("sms", True, "carrier")]
    assert by_status.count("suppressed") == 2
    assert by_status.count("queued") == 1  # the rate-limited text, waiting for its back-off
    with transaction(sms_world.engine) as db:
        hashes = vault.lookup_hashes("sms", gone)
        assert repo.is_opted_out(db, "sms", hashes)

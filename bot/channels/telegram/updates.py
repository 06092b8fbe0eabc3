"""One Telegram update in, the runner called once, the replies sent: shared by the webhook and
long polling, so both behave the same.

An update becomes one ``Inbound`` (text, a notice for what cannot be read, or a start request
from a ``/start`` deep link) with external id ``tg-<update_id>``: the runner applies a repeated
update once, and a repeat sends nothing. The chat id is the address; it is handed to the runner
(which stores it encrypted) and to Telegram, and never logged.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select
from telegram import Message as TgMessage
from telegram import Update

from bot.channels.base import Failure
from bot.channels.telegram.keyboard import payloads
from bot.channels.telegram.pacing import Refused
from bot.channels.telegram.sender import TelegramSender
from bot.surveys.catalog import FlowCatalog
from bot.surveys.inbound import Inbound, StartRequest
from bot.surveys.runner import Outcome, Runner
from flows.events import Message
from storage import invitation_links, outbox
from storage import repository as repo
from storage.crypto import Vault
from storage.db import transaction
from storage.models import Outbox

CHANNEL = "telegram"
NOT_TEXT = "Sorry, I can only read text. Please reply with text or tap a button."
PRIVATE_ONLY = "This survey works in a private chat: please message me directly."
LINK_REFUSED = {
    "unknown": "Sorry, I do not recognise that link. Please check it, or ask whoever sent it.",
    "expired": "Sorry, that link has expired. Please ask whoever sent it for a new one.",
    "used": "That link has already been used. Thank you: your answers are safe with us.",
}
RETRY_DELAY = 30.0  # seconds before the outbox tries a reply Telegram could not take
INLINE_WAIT = 5.0  # seconds a reply may wait out a 429 in the webhook; longer ones are dropped
BLOCKED = "telegram 403"  # the opt-out keyword recorded when Telegram says the bot is blocked
# Our slash commands are the words people can type on any channel (DESIGN.md: the same rules).
COMMANDS = frozenset({"start", "stop", "help", "skip", "restart"})

log = logging.getLogger("carevoice.telegram")


@dataclass(frozen=True)
class Applied:
    """What became of one update, for tests and the polling summary (no chat ids, no text)."""

    kind: str  # "answered", "duplicate", "ignored", "group"
    sent: int = 0
    failure: Failure | None = None


# Two updates from one chat can be handled at once (Telegram opens several webhook connections).
# The runner applies them one after the other, but their replies would race to Telegram: the
# second's question could arrive before the first's. One chat's updates therefore go through
# applying and sending in turn, under one of these locks (chats share a lock at random: a wait
# behind another chat's reply, never a deadlock, as no update holds two).
_CHAT_LOCKS = tuple(threading.Lock() for _ in range(256))


def _chat_lock(chat: str) -> threading.Lock:
    return _CHAT_LOCKS[hash(chat) % len(_CHAT_LOCKS)]


class Intake:
    def __init__(
        self, runner: Runner, vault: Vault, catalog: FlowCatalog, sender: TelegramSender
    ) -> None:
        self.runner, self.vault, self.catalog, self.sender = runner, vault, catalog, sender
        self.sleep = time.sleep

    def parse(self, data: dict[str, Any]) -> Update | None:
        """PTB's reading of the update, or None when it is not one (never an error to raise)."""
        try:
            return Update.de_json(data, self.sender.bot)
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
            return None

    def apply(self, update: Update) -> Applied:
        """Apply one update; called off the event loop (it waits for the database and Telegram)."""
        message = update.message  # edits, channel posts, callbacks: nothing to answer
        if message is None or message.from_user is None or message.from_user.is_bot:
            return Applied("ignored")
        chat = str(message.chat.id)
        if message.chat.type != "private":  # a group's members are not one person to survey
            if not str(message.text or "").startswith("/"):  # a busy group hears it once a /start
                return Applied("ignored")
            return Applied("group", *self._deliver(chat, [Message(role="info", text=PRIVATE_ONLY)]))
        at = message.date.astimezone(UTC) if message.date else datetime.now(UTC)
        with _chat_lock(chat):  # this chat's replies in the order its updates were applied
            inbound = self.inbound_for(chat, f"tg-{update.update_id}", at, message)
            outcome = self.runner.receive(inbound, inline=True)
            if outcome.duplicate:
                return Applied("duplicate")
            if inbound.start is not None and inbound.start.contact_id is not None:
                self._record_conversation(message.text or "", outcome.conversation_id, at)
            return Applied("answered", *self._deliver(chat, outcome.replies, outcome, at))

    def inbound_for(self, chat: str, external_id: str, at: datetime, message: TgMessage) -> Inbound:
        """What the runner is handed for a private chat's message."""
        text = message.text if isinstance(message.text, str) else None  # PTB does not check
        if text is None or not text.strip():
            return Inbound(CHANNEL, chat, external_id, at, notice=NOT_TEXT)
        command, _, payload = text.strip().partition(" ")
        word = command[1:].split("@", 1)[0].lower() if command.startswith("/") else ""
        if word == "start" and payload.strip():
            return self._deep_link(chat, external_id, at, payload.strip())
        if word in COMMANDS:  # /stop, /help… mean what STOP, HELP… mean on SMS
            return Inbound(CHANNEL, chat, external_id, at, text=word)
        return Inbound(CHANNEL, chat, external_id, at, text=text)

    def _deep_link(self, chat: str, external_id: str, at: datetime, payload: str) -> Inbound:
        """``/start <flow id>`` begins that flow; ``/start <token>`` binds this chat to the
        invited contact (single use), so the answers count for that person's provider. From a
        chat that opted out (or blocked the bot) any /start first opts back in, and nothing more:
        the link works when tapped again."""
        with transaction(self.runner.engine) as db:
            if repo.inbound(db, CHANNEL, external_id) is not None:  # a repeat: the runner knows
                return Inbound(CHANNEL, chat, external_id, at, text=f"/start {payload}")
            if repo.is_opted_out(db, CHANNEL, self.vault.lookup_hashes(CHANNEL, chat)):
                return Inbound(CHANNEL, chat, external_id, at, text="start")
            if payload in self.catalog.entries:
                return Inbound(CHANNEL, chat, external_id, at, start=StartRequest(payload))
            found = invitation_links.find(db, payload, at, for_update=True)
            invitation = found.invitation
            if invitation is None or found.refusal is not None:
                refusal = LINK_REFUSED[found.refusal or "unknown"]
                return Inbound(CHANNEL, chat, external_id, at, notice=refusal)
            invitation_links.mark_used(db, invitation, at)
            repo.ensure_address(db, self.vault, CHANNEL, chat, at, invitation.contact_id)
            request = StartRequest(
                invitation.flow_id,
                contact_id=invitation.contact_id,
                provider_id=invitation.provider_id,
            )
        return Inbound(CHANNEL, chat, external_id, at, start=request)

    def _record_conversation(self, text: str, conversation_id: int | None, at: datetime) -> None:
        """The invitation a personal link came from now points at the survey it started, as an
        invitation sent by SMS does (the response rate counts it)."""
        token = text.strip().partition(" ")[2].strip()
        with transaction(self.runner.engine) as db:
            invitation = invitation_links.find(db, token, at).invitation
            if invitation is not None and invitation.conversation_id is None:
                invitation.conversation_id = conversation_id
                db.add(invitation)

    def _deliver(
        self, chat: str, replies: list[Message], outcome: Outcome | None = None,
        at: datetime | None = None,
    ) -> tuple[int, Failure | None]:  # fmt: skip
        """Send the replies now, in order; stop at the first refusal (the rest would fail too)."""
        sent = 0
        for index, reply in enumerate(replies):
            for payload in payloads(reply):
                try:
                    self._send(chat, payload)
                except Refused as refused:
                    self._refused(chat, refused, outcome)
                    if refused.kind is Failure.RETRY_LATER and outcome is not None and at:
                        self._hand_to_outbox(chat, len(replies) - index, at, refused)
                    return sent, refused.kind
                sent += 1
        return sent, None

    def _hand_to_outbox(self, chat: str, unsent: int, at: datetime, refused: Refused) -> None:
        """Replies Telegram would not take now go back to the outbox, in order, for its telegram
        lane to send once Telegram allows: the runner stored them as sent inline, so the last
        ``unsent`` rows of this person's stored at ``at`` become queued again."""
        wait = timedelta(seconds=refused.retry_after or RETRY_DELAY)
        with transaction(self.runner.engine) as db:
            person = repo.find_address(db, CHANNEL, self.vault.lookup_hashes(CHANNEL, chat))
            if person is None:
                return
            query = (
                select(Outbox)
                .where(Outbox.address_id == person.id, Outbox.status == "sent_inline")
                .where(Outbox.created_at == at)
                .order_by(col(Outbox.id).desc())
                .limit(unsent)
            )
            for row in db.exec(query):
                row.status, row.sent_at, row.send_after = "queued", None, at + wait
                row.last_error = refused.reason
                db.add(row)

    def _send(self, chat: str, payload: dict[str, Any]) -> None:
        """One ``sendMessage``; a short flood wait (429) is waited out once, as Telegram asks,
        since the person is waiting for this answer now."""
        try:
            self.sender.send(chat, payload)
        except Refused as refused:
            wait = refused.retry_after
            if wait is None or wait > INLINE_WAIT:
                raise
            self.sleep(wait)
            self.sender.send(chat, payload)

    def _refused(self, chat: str, refused: Refused, outcome: Outcome | None) -> None:
        log.warning("telegram reply not delivered: %s", refused.reason)  # no chat id, no text
        if refused.kind is Failure.RECIPIENT_GONE and outcome is not None:
            # Blocked mid-conversation: as if they had said STOP, until they send /start again.
            hashes, at = self.vault.lookup_hashes(CHANNEL, chat), datetime.now(UTC)
            with transaction(self.runner.engine) as db:
                repo.set_opt_out(db, CHANNEL, hashes, True, BLOCKED, at)
                person = repo.find_address(db, CHANNEL, hashes)
                outbox.cancel_queued(db, person.id if person else None, at)

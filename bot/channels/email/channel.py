"""E-mail as a ``Channel``: personal web links (the ``web_email`` route, ``invite --by email``)
sent through the outbox's own lane to the SMTP server the safeguarding alerts use.

Registered only when ``CAREVOICE_SMTP_HOST`` is set, so without a mail server the ``web_email``
route shows as "channel not available" rather than filling a queue nobody can send. No e-mail
ever arrives here, so there are no opt words: the unsubscribe link in every e-mail (and in its
``List-Unsubscribe`` header) is how a person says STOP, and it stops every channel of theirs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.base import Capabilities, Failure, OptWords, Rendered, SendFailure, SendResult
from bot.channels.email.compose import compose, html_body, plain_body, subject_of, unsubscribe_line
from bot.channels.email.sender import SmtpSender
from bot.channels.email.tokens import make_token
from bot.config.settings import Settings, vault_for
from flows.events import Message
from storage.crypto import Vault

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.config.wiring import Services

NAME = "email"
PREVIEW_UNSUBSCRIBE = "<unsubscribe link>"
UNSUBSCRIBE_PATH = "/u/"


class EmailChannel:
    name = NAME

    def __init__(
        self, settings: Settings, vault: Vault | None = None, sender: SmtpSender | None = None
    ) -> None:
        self.settings = settings
        self._vault, self._sender = vault, sender
        self.capabilities = Capabilities(per_second=settings.email_per_second)
        self.opt_words = OptWords(opt_out=frozenset(), opt_in=frozenset())

    def render(self, message: Message, *, unicode: bool = False) -> Rendered:
        line = unsubscribe_line(self.settings, PREVIEW_UNSUBSCRIBE)
        extra = {
            "subject": subject_of(message, self.settings.web_organisation),
            "html": html_body(message, line),
        }
        return Rendered((plain_body(message, line),), extra)

    def opt_out_line(self, language: str) -> str:
        # The unsubscribe link goes in every e-mail's footer and headers instead (``send``).
        return ""

    def vault(self) -> Vault:
        if self._vault is None:
            self._vault = vault_for(self.settings)
        return self._vault

    def unsubscribe_url(self, address: str) -> str:
        public = self.settings.public_url.rstrip("/")
        return f"{public}{UNSUBSCRIBE_PATH}{make_token(self.vault(), address)}"

    def setup_problem(self) -> str | None:
        return None if self.settings.smtp_host else "set CAREVOICE_SMTP_HOST to send e-mail"

    def send(self, address: str, message: Message, *, unicode: bool = False) -> SendResult:
        mail = compose(self.settings, address, message, self.unsubscribe_url(address))
        try:
            if self._sender is None:
                self._sender = SmtpSender(self.settings)
            return SendResult.sent(self._sender.send(mail))
        except SendFailure as failure:
            return SendResult.failed(failure.kind, str(failure))
        except ValueError as error:  # no mail server set: keep the message until there is one
            return SendResult.failed(Failure.RETRY_LATER, str(error))

    def router(self, services: Services) -> APIRouter:
        from bot.channels.email.pages import unsubscribe_router

        return unsubscribe_router(services)

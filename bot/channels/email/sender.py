"""Handing one e-mail to the SMTP server in settings, and what its refusals mean.

SMTP's reply codes stay in this module: a 4xx is the server asking us to try again later, a 5xx
on the recipient says there is no such mailbox (the address is marked invalid), and a 5xx on the
message itself refuses this e-mail only. Nothing here logs or repeats the address.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from bot.channels.base import Failure, SendFailure
from bot.config.settings import Settings


def failure_for(code: int, on_recipient: bool) -> Failure:
    """A reply code as a neutral failure kind (RFC 5321 section 4.2.1)."""
    if 400 <= code < 500:
        return Failure.RETRY_LATER
    if on_recipient and code in {550, 551, 553}:
        return Failure.INVALID_ADDRESS
    return Failure.REJECTED if code >= 500 else Failure.RETRY_LATER


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise ValueError("set CAREVOICE_SMTP_HOST to send e-mail invitations")
        self.settings = settings
        self.domain = settings.smtp_from.rpartition("@")[2] or "localhost"

    def send(self, message: EmailMessage) -> str:
        """Send ``message``; returns its Message-ID or raises ``SendFailure``."""
        settings = self.settings
        if message["Message-ID"] is None:
            message["Message-ID"] = make_msgid(domain=self.domain)
        try:
            with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
                if settings.smtp_starttls:
                    smtp.starttls()
                if settings.smtp_user:
                    smtp.login(settings.smtp_user, settings.smtp_password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            code, _ = next(iter(refused.recipients.values()))
            kind = failure_for(code, on_recipient=True)
            raise SendFailure(f"the mail server refused the recipient ({code})", kind) from None
        except smtplib.SMTPAuthenticationError as error:
            # Our credentials, not this message: keep it for when the setting is fixed.
            reason = f"the mail server refused our login ({error.smtp_code})"
            raise SendFailure(reason, Failure.RETRY_LATER) from None
        except smtplib.SMTPResponseException as error:
            kind = failure_for(error.smtp_code, on_recipient=False)
            raise SendFailure(
                f"the mail server refused the e-mail ({error.smtp_code})", kind
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            where = f"{settings.smtp_host}:{settings.smtp_port}"
            reason = f"cannot reach the mail server {where}: {type(error).__name__}"
            raise SendFailure(reason, Failure.RETRY_LATER) from None
        return str(message["Message-ID"])

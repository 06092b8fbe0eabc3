"""E-mail alerts to the safeguarding contact for every new flag, sent by the worker.

An alert says *that* a possible disclosure was flagged, its categories, provider and time, and
where to triage it — never the person's words or number: e-mail is not a safe place for them.
Each flag records in its history when it was alerted, so an alert is sent once, and one that
fails is tried again on the worker's next round.
"""

from __future__ import annotations

import smtplib
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import Engine
from sqlmodel import col, select

from bot.config.settings import Settings
from storage.db import transaction
from storage.models import Provider, SafeguardingFlag

ALERTED = "alerted"
LOCAL_MAIL_SERVER = "127.0.0.1"


def pending(engine: Engine) -> list[int]:
    with transaction(engine) as db:
        flags = db.exec(select(SafeguardingFlag).order_by(col(SafeguardingFlag.id)))
        return [f.id for f in flags if f.id is not None and not _alerted(f)]


def _alerted(flag: SafeguardingFlag) -> bool:
    return any(entry.get("action") == ALERTED for entry in flag.history)


def compose(flag: SafeguardingFlag, provider: str, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = settings.safeguarding_email
    message["Subject"] = f"carevoice: possible safeguarding concern #{flag.id} ({provider})"
    categories = ", ".join(c.replace("_", " ") for c in flag.categories)
    message.set_content(
        f"A message received by carevoice may disclose harm and needs triage by a named person.\n\n"
        f"Flag: #{flag.id}\nCategories: {categories}\nProvider: {provider}\n"
        f"Raised: {flag.created_at:%d %B %Y %H:%M} UTC\nSource: {flag.source}\n\n"
        f"The person was sent the signposting message (999 in an emergency and the council's "
        f"safeguarding number). Their words are not in this e-mail; open the flag in carevoice "
        f"to read them and record what was done:\n{_link(settings, flag)}\n"
    )
    return message


def _link(settings: Settings, flag: SafeguardingFlag) -> str:
    return f"{settings.public_url.rstrip('/')}/flags/{flag.id}"


class AlertFailed(RuntimeError):
    """The mail server could not be reached or refused the alert; it is tried again later."""


def send_alerts(engine: Engine, settings: Settings, now: datetime) -> int:
    """Alert every flag not yet alerted; returns how many were sent."""
    if not settings.safeguarding_email:
        return 0
    sent = 0
    for flag_id in pending(engine):
        with transaction(engine) as db:
            flag = db.get(SafeguardingFlag, flag_id)
            if flag is None or _alerted(flag):
                continue
            provider = db.get(Provider, flag.provider_id) if flag.provider_id else None
            deliver(compose(flag, provider.name if provider else "no provider", settings), settings)
            history = [*flag.history, {"at": now.isoformat(), "by": "system", "action": ALERTED,
                                       "note": settings.safeguarding_email}]  # fmt: skip
            flag.history = history
            db.add(flag)
            sent += 1
    return sent


def deliver(message: EmailMessage, settings: Settings, what: str = "safeguarding alert") -> None:
    """Hand one alert to the SMTP server in settings, at once (invitations by e-mail go through
    the outbox's e-mail lane instead: bot/channels/email)."""
    host = settings.smtp_host or LOCAL_MAIL_SERVER
    try:
        with smtplib.SMTP(host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        where = f"{host}:{settings.smtp_port}"
        raise AlertFailed(f"cannot send {what} via {where}: {error}") from None

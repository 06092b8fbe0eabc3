"""``carevoice worker``: everything that happens without a person asking — the outbox (one lane
per channel), reminders and expiries, and safeguarding alerts by e-mail."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy import Engine

from bot.channels.sms.sender import TwilioSender
from bot.cli.support import fail
from bot.config.database import DatabaseNotReady
from bot.config.settings import Settings
from bot.config.wiring import Services
from bot.jobs.outbox import OutboxWorker, Summary
from bot.safeguarding.alerts import AlertFailed, send_alerts
from storage import outbox


def worker(
    once: Annotated[bool, typer.Option("--once", help="Send what is due, then stop.")] = False,
    every: Annotated[float, typer.Option(help="Seconds between looks at the outbox.")] = 10.0,
) -> None:
    """Send queued texts through Twilio; also sends reminders and closes expired surveys."""
    try:
        services = Services.build()
        sender = TwilioSender(services.settings)
    except (DatabaseNotReady, ValueError) as error:
        raise fail(str(error)) from None
    settings, engine, vault, runner = (
        services.settings, services.engine, services.vault, services.runner
    )  # fmt: skip
    sending = OutboxWorker(
        engine, vault, sender, per_second=settings.sms_per_second, quiet_hours=settings.quiet_hours
    )
    stuck = outbox.stuck_sending(engine)
    if stuck:
        typer.echo(
            f"warning: {stuck} texts were mid-send when a worker stopped; "
            "check them in Twilio's message log",
            err=True,
        )
    try:
        while True:
            runner.tick(datetime.now(UTC))
            _alert(engine, settings)
            _report(_drain(sending))
            if once:
                return
            time.sleep(every)
    except KeyboardInterrupt:
        typer.echo("stopped; nothing is lost — queued texts wait for the next run", err=True)


def _alert(engine: Engine, settings: Settings) -> None:
    try:
        sent = send_alerts(engine, settings, datetime.now(UTC))
    except AlertFailed as error:
        typer.echo(f"warning: {error}; will try again", err=True)
        return
    if sent:
        typer.echo(f"sent {sent} safeguarding alert(s) to {settings.safeguarding_email}")


def _drain(sending: OutboxWorker) -> Summary:
    now = lambda: datetime.now(UTC)  # noqa: E731
    if not sys.stderr.isatty():
        return sending.drain(now)
    with Progress(transient=True) as bar:
        task = bar.add_task("sending", total=None)
        return sending.drain(now, lambda s: bar.update(task, description=f"sent {s.sent}"))


def _report(summary: Summary) -> None:
    if summary.sent or summary.retried or summary.failed or summary.suppressed or summary.invalid:
        typer.echo(
            f"sent {summary.sent}, retrying {summary.retried}, failed {summary.failed}, "
            f"not sent (opted out) {summary.suppressed}, invalid numbers {len(summary.invalid)}"
        )

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

from bot.channels.base import Channel, NeedsSetup
from bot.channels.registry import ChannelRegistry
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
    """Send queued messages on every channel that is set up (texts through Twilio…); also sends
    reminders and closes expired surveys."""
    try:
        services = Services.build()
    except DatabaseNotReady as error:
        raise fail(str(error)) from None
    settings, engine, vault, runner = (
        services.settings, services.engine, services.vault, services.runner
    )  # fmt: skip
    sending = OutboxWorker(
        engine, vault, _ready_channels(services.channels), quiet_hours=settings.quiet_hours
    )
    stuck = outbox.stuck_sending(engine)
    if stuck:
        typer.echo(
            f"warning: {stuck} messages were mid-send when a worker stopped; "
            "check them in the carrier's message log (Twilio's for texts)",
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
        typer.echo("stopped; nothing is lost — queued messages wait for the next run", err=True)


def _ready_channels(channels: ChannelRegistry) -> list[Channel]:
    """The channels that can send now; fails when none can, warns about the others."""
    ready: list[Channel] = []
    problems: list[str] = []
    for channel in channels:
        if not channel.capabilities.sends:
            continue
        problem = channel.setup_problem() if isinstance(channel, NeedsSetup) else None
        if problem is None:
            ready.append(channel)
        else:
            problems.append(f"{channel.name}: {problem}")
    if not ready:
        raise fail("no channel can send: " + "; ".join(problems))
    for problem in problems:
        typer.echo(f"warning: not sending on {problem}", err=True)
    return ready


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

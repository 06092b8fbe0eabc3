"""``carevoice invite`` and ``carevoice worker``: the outbound side of SMS."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy import Engine

from bot.alerts import AlertFailed, send_alerts
from bot.channels.sms_format import render, segments
from bot.command_support import fail
from bot.database import DatabaseNotReady, open_database
from bot.flow_catalog import FlowCatalog
from bot.invitations import InviteError, masked, plan, send_invitations
from bot.outbox_worker import OutboxWorker, Summary
from bot.runner import Runner
from bot.settings import Settings, vault_for
from bot.sms_sender import TwilioSender
from flows.definition import Flow
from flows.engine import start
from flows.errors import FlowError
from flows.events import Message
from flows.resumes import StartContext
from storage import outbox
from storage.repository import reporting_month


def invite(
    flow: Annotated[str, typer.Option("--flow", help="Id of the flow to send.")],
    provider: Annotated[str, typer.Option("--provider", help="Provider whose people to ask.")],
    channel: Annotated[str, typer.Option(help="Only sms for now.")] = "sms",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show who and what; send nothing.")
    ] = False,
) -> None:
    """Queue a survey's first text for every eligible person of a provider."""
    if channel != "sms":
        raise fail(f"unknown channel {channel!r}: choose sms")
    settings = Settings()
    try:
        engine = open_database(settings)
        catalog = FlowCatalog.load(settings.flows_dir)
        entry = catalog.resolve(flow)
        now = datetime.now(UTC)
        provider_id, found = plan(
            engine, provider, channel, reporting_month(now), settings.invitations_per_month
        )
    except (DatabaseNotReady, InviteError, LookupError, FlowError) as error:
        raise fail(str(error).strip("'\"")) from None
    vault = vault_for(settings)
    typer.echo(
        f"{len(found.eligible)} to invite; skipped {found.opted_out} opted out, "
        f"{found.already_invited} already invited this month, {found.no_address} without a number"
    )
    if dry_run:
        for candidate in found.eligible:
            typer.echo(f"  would text {masked(vault.decrypt(candidate.address.encrypted))}")
        _preview(entry.flow, provider)
        return
    runner = Runner(engine, vault, catalog)
    started = send_invitations(runner, vault, entry.flow.id, provider_id, found.eligible, now)
    typer.echo(f"queued {started} invitations; run `carevoice worker` to send them")


def _preview(flow: Flow, provider: str) -> None:
    _, events = start(flow, StartContext(at=datetime.now(UTC), values={"provider": provider}))
    typer.echo("first texts:")
    for event in events:
        if isinstance(event, Message):
            text = render(event, unicode=flow.unicode)
            typer.echo(f"--- {segments(text).count} SMS\n{text}")


def worker(
    once: Annotated[bool, typer.Option("--once", help="Send what is due, then stop.")] = False,
    every: Annotated[float, typer.Option(help="Seconds between looks at the outbox.")] = 10.0,
) -> None:
    """Send queued texts through Twilio; also sends reminders and closes expired surveys."""
    settings = Settings()
    try:
        engine = open_database(settings)
        sender = TwilioSender(settings)
    except (DatabaseNotReady, ValueError) as error:
        raise fail(str(error)) from None
    vault = vault_for(settings)
    runner = Runner(engine, vault, FlowCatalog.load(settings.flows_dir))
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

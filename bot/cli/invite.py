"""``carevoice invite``: ask a provider's people to answer a survey (queued for the worker)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlmodel import Session

from bot.channels.base import Channel, with_opt_out_line
from bot.channels.sms.format import render, segments
from bot.cli.support import fail
from bot.config.database import DatabaseNotReady
from bot.config.wiring import Services
from bot.surveys.invitations import InviteError, masked, plan, send_invitations
from flows.definition import Flow
from flows.engine import start
from flows.errors import FlowError
from flows.events import Message
from flows.resumes import StartContext
from storage.repository import provider_context, reporting_month


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
    try:
        services = Services.build()
        settings, engine = services.settings, services.engine
        entry = services.catalog.resolve(flow)
        now = datetime.now(UTC)
        provider_id, found = plan(
            engine, provider, channel, reporting_month(now), settings.invitations_per_month
        )
    except (DatabaseNotReady, InviteError, LookupError, FlowError) as error:
        raise fail(str(error).strip("'\"")) from None
    vault = services.vault
    typer.echo(
        f"{len(found.eligible)} to invite; skipped {found.opted_out} opted out, "
        f"{found.already_invited} already invited this month, {found.no_address} without a number"
    )
    if dry_run:
        for candidate in found.eligible:
            typer.echo(f"  would text {masked(vault.decrypt(candidate.address.encrypted))}")
        _preview(entry.flow, _provider_values(engine, provider_id), services.channels.get(channel))
        return
    started = send_invitations(
        services.runner, vault, entry.flow.id, provider_id, found.eligible, now
    )
    typer.echo(f"queued {started} invitations; run `carevoice worker` to send them")


def _provider_values(engine: Engine, provider_id: int) -> dict[str, str]:
    """The placeholders the real send fills: the provider's stored name and its commissioner."""
    with Session(engine) as db:
        return provider_context(db, provider_id)


def _preview(flow: Flow, values: dict[str, str], channel: Channel) -> None:
    session, events = start(flow, StartContext(at=datetime.now(UTC), values=values))
    line = channel.opt_out_line(session.language)
    typer.echo("first texts:")
    for event in events:
        if isinstance(event, Message):
            text = render(with_opt_out_line(event, line) if event.role == "intro" else event)
            typer.echo(f"--- {segments(text).count} SMS\n{text}")

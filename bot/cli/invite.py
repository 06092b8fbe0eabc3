"""``carevoice invite``: ask a provider's people to answer a survey (queued for the worker), by
text message, or on the web form with a personal link sent by text or e-mail."""

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
from bot.surveys.catalog import CatalogEntry
from bot.surveys.invitations import InviteError, InvitePlan, masked, plan, send_invitations
from bot.surveys.web_invitations import By, email_text, invite_to_web, link_text
from flows.definition import Flow
from flows.engine import start
from flows.errors import FlowError
from flows.events import Message
from flows.resumes import StartContext
from storage.repository import provider_context, reporting_month


def invite(
    flow: Annotated[str, typer.Option("--flow", help="Id of the flow to send.")],
    provider: Annotated[str, typer.Option("--provider", help="Provider whose people to ask.")],
    channel: Annotated[
        str, typer.Option(help="sms (answer by text) or web (answer on the web form).")
    ] = "sms",
    by: Annotated[
        str, typer.Option("--by", help="With --channel web: send the link by sms or email.")
    ] = "sms",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show who and what; send nothing.")
    ] = False,
) -> None:
    """Queue a survey's first text for every eligible person of a provider; with ``--channel
    web``, send each a personal link to the web form instead (single use, expires with the
    flow)."""
    if channel not in {"sms", "web"}:
        raise fail(f"unknown channel {channel!r}: choose sms or web")
    if by not in {"sms", "email"}:
        raise fail(f"unknown --by {by!r}: choose sms or email")
    if channel == "web":
        invite_web(flow, provider, by, dry_run)
        return
    services, entry, provider_id, found, now = _planned(flow, provider, channel)
    engine = services.engine
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


def _planned(
    flow: str, provider: str, address_channel: str
) -> tuple[Services, CatalogEntry, int, InvitePlan, datetime]:
    """The services, the flow, and who of the provider's people would be invited now."""
    try:
        services = Services.build()
        entry = services.catalog.resolve(flow)
        now = datetime.now(UTC)
        month, cap = reporting_month(now), services.settings.invitations_per_month
        provider_id, found = plan(services.engine, provider, address_channel, month, cap)
    except (DatabaseNotReady, InviteError, LookupError, FlowError) as error:
        raise fail(str(error).strip("'\"")) from None
    return services, entry, provider_id, found, now


def invite_web(flow: str, provider: str, by: str, dry_run: bool) -> None:
    """Personal links to the web form, by text or by e-mail, queued for the worker."""
    services, entry, provider_id, found, now = _planned(flow, provider, by)
    settings, engine = services.settings, services.engine
    what = "a number" if by == "sms" else "an e-mail address"
    typer.echo(
        f"{len(found.eligible)} to invite to the web form; skipped {found.opted_out} opted out, "
        f"{found.already_invited} already invited this month, {found.no_address} without {what}"
    )
    opt_out = services.channels.get("sms").opt_out_line("en") if by == "sms" else ""
    if dry_run:
        link = f"{settings.public_url}/s/…"
        sample = (
            link_text(settings, entry.flow, link, opt_out)
            if by == "sms"
            else email_text(settings, entry.flow, link)
        )
        typer.echo(f"each gets a personal link by {by}, e.g.:\n{sample}")
        return
    if by not in services.channels:
        raise fail("e-mail is not set up: set CAREVOICE_SMTP_HOST (and _PORT, _FROM) first")
    method: By = "sms" if by == "sms" else "email"
    sent = invite_to_web(settings, engine, entry.flow, provider_id, found.eligible, now, method,
                         opt_out)  # fmt: skip
    typer.echo(f"queued {sent} web invitations; run `carevoice worker` to send them")


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

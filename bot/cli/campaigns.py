"""``carevoice campaigns``: surveys that send themselves on a schedule, and what they would do.

The worker does the sending (``carevoice worker``); these commands define campaigns, preview a
period with the same planning the worker uses, and show how far the current period has got.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from sqlmodel import Session

from bot.channels.sms.format import segments
from bot.cli.campaign_waves import add_per_person, by_wave, provider_ids, save
from bot.cli.support import fail, plain_help
from bot.config.database import DatabaseNotReady
from bot.config.wiring import Services
from bot.jobs.outbox import in_quiet_hours, parse_quiet_hours
from bot.jobs.schedule import CampaignJobs, Preview, campaign_jobs
from bot.surveys.campaigns import ROUTE_ADDRESS, language_of, next_occurrence, occurrence_at
from bot.surveys.person_waves import describe as describe_waves
from bot.surveys.person_waves import waves_of
from bot.surveys.schedules import UK, ScheduleError, parse_instant, parse_schedule
from bot.surveys.throttles import ThrottleError, parse_throttles
from bot.surveys.throttles import describe as describe_throttles
from storage import campaigns as store
from storage import repository as repo
from storage.db import transaction
from storage.models import Campaign

campaigns_app = typer.Typer(
    help="Campaigns: a survey sent by itself, on a schedule, to every provider's people.",
    no_args_is_help=True,
)
Format = Annotated[str, typer.Option("--format", help="text or json.")]


def _services() -> Services:
    try:
        return Services.build()
    except (DatabaseNotReady, ValueError) as error:
        raise fail(str(error)) from None


def _instant(text: str | None) -> datetime | None:
    try:
        return parse_instant(text) if text else None
    except ScheduleError as error:
        raise fail(str(error)) from None


@campaigns_app.command("add")
@plain_help
def add(
    name: Annotated[str, typer.Argument(help="A name to refer to the campaign by.")],
    flow: Annotated[str, typer.Option("--flow", help="Id of the flow to send.")],
    providers: Annotated[str, typer.Option(help='"all", or names separated by commas.')],
    schedule: Annotated[
        str | None,
        typer.Option(help='"monthly, first Tuesday, 10:00" or a cron expression (UK time).'),
    ] = None,
    remind_after: Annotated[
        int | None, typer.Option(help="Days before one reminder to those who have not answered.")
    ] = None,
    expire_after: Annotated[int, typer.Option(help="Days before an unanswered survey closes.")] = 7,
    starts: Annotated[str | None, typer.Option(help="First date it may run (default now).")] = None,
    ends: Annotated[str | None, typer.Option(help="Last date it may run.")] = None,
    per_person: Annotated[
        bool,
        typer.Option(
            "--per-person",
            help="Instead of a schedule, ask each person when they reach a wave, counted from "
            "their started_on (contacts import).",
        ),
    ] = False,
    waves: Annotated[
        str,
        typer.Option(help="With --per-person: NAME:MONTHS after started_on, the first baseline:0."),
    ] = "baseline:0,3 months:3,6 months:6",
    window: Annotated[
        int,
        typer.Option(help="With --per-person: days each wave stays open from its due date."),
    ] = 14,
    throttle: Annotated[
        str,
        typer.Option(
            help='Most invitations an hour per channel, e.g. "sms=300/h,email=1000/h" '
            "(channels sms, telegram, email; periods s, min, h, d)."
        ),
    ] = "",
) -> None:
    """Add a campaign. Nothing is sent until the worker runs at a scheduled time.

    A per-person campaign (--per-person, for outcomes) has waves instead of a schedule: each
    person is invited once per wave, on the first worker run once it is due (the day they
    started, then e.g. 3 and 6 months later), reminded once after --remind-after days, and the
    survey closes when the wave's --window ends. The conversation records its wave, which
    `carevoice report --outcomes` pairs."""
    services = _services()
    try:
        throttles = parse_throttles(throttle)
        services.catalog.get(flow)
    except (ThrottleError, LookupError) as error:
        raise fail(str(error).strip("'\"")) from None
    if per_person:
        if schedule is not None:
            raise fail("a per-person campaign has waves (--waves), not a --schedule")
        if throttles:
            # Waves invite the few people due each day; pacing is for a month's whole list.
            raise fail("--throttle is for scheduled campaigns, not --per-person ones")
        add_per_person(services, name, flow, providers, waves, window, remind_after, starts, ends)
        return
    if schedule is None:
        raise fail("give --schedule, or --per-person for a campaign that follows each person")
    try:
        parsed = parse_schedule(schedule)
    except ScheduleError as error:
        raise fail(str(error)) from None
    now = datetime.now(UTC)
    with transaction(services.engine) as db:
        campaign = Campaign(
            name=" ".join(name.split()), flow_id=flow, provider_ids=provider_ids(db, providers),
            schedule=parsed.text, remind_after_days=remind_after, expire_after_days=expire_after,
            starts_at=_instant(starts) or now, ends_at=_instant(ends), created_at=now,
            throttles=throttles or None,
        )  # fmt: skip
        save(db, campaign)
    due = occurrence_at(campaign, now)  # a start date in the past can make this month's due
    first = due or next_occurrence(parsed, max(now, campaign.starts_at or now))
    when = f"{_local(first.due_at)}, due now" if due else _local(first.due_at)
    typer.echo(f"added campaign {campaign.name!r}; first run {when}")
    if in_quiet_hours(first.due_at, parse_quiet_hours(services.settings.quiet_hours)):
        typer.echo("warning: that is in quiet hours; invitations wait until they end", err=True)


@campaigns_app.command("list")
def list_campaigns(output: Format = "text") -> None:
    """Every campaign with its schedule and state."""
    services = _services()
    with transaction(services.engine) as db:
        rows = [_describe(db, c) for c in store.listed(db)]
    if output == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("no campaigns yet: add one with carevoice campaigns add")
    for row in rows:
        typer.echo(f"{row['name']}  [{row['status']}]  {row['flow']}  {row['schedule']}")


@campaigns_app.command("show")
def show(name: str, output: Format = "text") -> None:
    """One campaign's settings and its next run."""
    services = _services()
    with transaction(services.engine) as db:
        row = _describe(db, _campaign(db, name))
    if output == "json":
        typer.echo(json.dumps(row, indent=2))
        return
    row["throttles"] = describe_throttles(row["throttles"])
    for key, value in row.items():
        typer.echo(f"{key}: {value}")


def _describe(db: Session, campaign: Campaign) -> dict[str, Any]:
    providers = campaign.provider_ids
    names = "all" if providers is None else ", ".join(repo.provider_name(db, i) for i in providers)
    if campaign.waves is not None:
        return {
            "name": campaign.name, "status": campaign.status, "flow": campaign.flow_id,
            "providers": names, "schedule": campaign.schedule,
            "waves": describe_waves(waves_of(campaign)), "window_days": campaign.window_days,
            "remind_after_days": campaign.remind_after_days,
        }  # fmt: skip
    upcoming = next_occurrence(parse_schedule(campaign.schedule), datetime.now(UTC))
    return {
        "name": campaign.name, "status": campaign.status, "flow": campaign.flow_id,
        "providers": names, "schedule": campaign.schedule,
        "remind_after_days": campaign.remind_after_days,
        "expire_after_days": campaign.expire_after_days,
        "throttles": campaign.throttles or {},
        "next_run": _local(upcoming.due_at) if campaign.status == "active" else None,
    }  # fmt: skip


def _campaign(db: Session, name: str) -> Campaign:
    try:
        return store.by_name(db, name)
    except store.CampaignError as error:
        raise fail(str(error)) from None


def _set_status(name: str, status: str, said: str) -> None:
    services = _services()
    with transaction(services.engine) as db:
        campaign = _campaign(db, name)
        campaign.status = status
        db.add(campaign)
    typer.echo(f"{said} campaign {campaign.name!r}")


@campaigns_app.command("pause")
def pause(name: str) -> None:
    """Stop running a campaign (invitations already sent carry on)."""
    _set_status(name, "paused", "paused")


@campaigns_app.command("resume")
def resume(name: str) -> None:
    """Run a paused campaign again from its next scheduled time."""
    _set_status(name, "active", "resumed")


@campaigns_app.command("remove")
def remove(name: str) -> None:
    """Remove a campaign; what it sent stays in the reports."""
    _set_status(name, "removed", "removed")


def _local(at: datetime) -> str:
    return at.astimezone(UK).strftime("%a %d %b %Y %H:%M UK time")


@campaigns_app.command("preview")
@plain_help
def preview(
    name: str,
    at: Annotated[str | None, typer.Option("--at", help="The run at or after this date.")] = None,
    output: Format = "text",
) -> None:
    """Who would be asked at the next run, on which channel, the first message each channel
    sends, and for SMS the segments and estimated cost. Sends nothing."""
    services = _services()
    jobs = campaign_jobs(services, lambda _: None)
    with transaction(services.engine) as db:
        campaign = _campaign(db, name)
    when = _instant(at) or datetime.now(UTC)
    if campaign.waves is not None:
        found, waves = jobs.person_waves.preview(campaign, when)
        summary = summarise(services, jobs, found) | {"by_wave": by_wave(found, waves)}
    else:
        found = jobs.preview(campaign, next_occurrence(parse_schedule(campaign.schedule), when))
        summary = summarise(services, jobs, found)
    if output == "json":
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        _print_preview(summary)


def summarise(services: Services, jobs: CampaignJobs, found: Preview) -> dict[str, Any]:
    """The preview's numbers (also what tests compare with what is then sent)."""
    invited = [p for p in found.planned if p.invited]
    with transaction(services.engine) as db:
        names = {
            p.person.provider_id: repo.provider_name(db, p.person.provider_id) for p in invited
        }
    by_route = Counter(p.route or "" for p in invited)
    segments_total, examples = 0, dict[str, list[str]]()
    for person, messages in found.messages:
        route = person.route or ""
        texts = _texts(services, route, messages)
        if ROUTE_ADDRESS[route] == "sms":
            segments_total += sum(segments(text).count for text in texts)
        examples.setdefault(f"{route} ({language_of(person.person)})", texts)
    cost = round(segments_total * services.settings.sms_cost_per_segment, 2)
    return {
        "period": found.occurrence.period, "runs_at": _local(found.occurrence.due_at),
        "to_invite": len(invited),
        "by_channel": dict(sorted(by_route.items())),
        "not_available": sorted(r for r in by_route if not found.available.get(r, False)),
        "by_provider": dict(sorted(Counter(names[p.person.provider_id] for p in invited).items())),
        "not_invited": dict(sorted(Counter(p.reason for p in found.planned if p.reason).items())),
        "sms_segments": segments_total, "estimated_cost_gbp": cost,
        "first_messages": examples,
    }  # fmt: skip


def _texts(services: Services, route: str, messages: list[Any]) -> list[str]:
    channel = ROUTE_ADDRESS[route] if route in {"web_sms", "web_email"} else route
    if channel in services.channels:
        renderer = services.channels.get(channel)
        return ["\n".join(renderer.render(m).parts) for m in messages]
    return [m.text for m in messages]


def _print_preview(summary: dict[str, Any]) -> None:
    if "by_wave" in summary:
        typer.echo(f"per person: who is due at {summary['runs_at']}")
    else:
        typer.echo(f"period {summary['period']}, runs {summary['runs_at']}")
    typer.echo(f"{summary['to_invite']} to invite")
    for wave, counts in summary.get("by_wave", {}).items():
        typer.echo(f"  wave {wave}: {counts['due']} due, {counts['to_invite']} to invite")
    for route, count in summary["by_channel"].items():
        note = (
            " (channel not available: will not be sent)"
            if route in summary["not_available"]
            else ""
        )
        typer.echo(f"  {route}: {count}{note}")
    for provider, count in summary["by_provider"].items():
        typer.echo(f"  {provider}: {count}")
    skipped = ", ".join(f"{reason} {n}" for reason, n in summary["not_invited"].items())
    typer.echo(f"not invited: {skipped or 'nobody'}")
    typer.echo(
        f"SMS: {summary['sms_segments']} segments, estimated £{summary['estimated_cost_gbp']:.2f}"
    )
    for label, texts in summary["first_messages"].items():
        typer.echo(f"--- first message, {label}")
        for text in texts:
            typer.echo(text)


@campaigns_app.command("status")
def status(name: str, output: Format = "text") -> None:
    """Progress of the latest period, per provider and channel, with a progress bar; for a
    per-person campaign, of each wave (everyone asked it so far). People never asked (opted
    out, no address, monthly cap, erased, channel not available…) are not counted as invited:
    they are shown apart, as "not invited", with the reason."""
    services = _services()
    with transaction(services.engine) as db:
        campaign = _campaign(db, name)
        if campaign.waves is not None:
            _print_waves(
                {w.name: _tables(db, campaign, w.name) for w in waves_of(campaign)}, output
            )
            return
        period = store.latest_period(db, campaign.id or 0)
        table, left_out = _tables(db, campaign, period) if period else ({}, {})
    if output == "json":
        shown = {label: counts_json(counts) for label, counts in table.items()}
        typer.echo(
            json.dumps(
                {"period": period, "progress": shown, **not_invited_json(left_out)}, indent=2
            )
        )
        return
    if period is None:
        typer.echo(f"campaign {campaign.name!r} has not run yet")
        return
    typer.echo(f"period {period}")
    for label, counts in sorted(table.items()):
        typer.echo(_bar(label, counts))
    _print_not_invited(left_out)


Table = dict[str, Counter[str]]


def _tables(db: Session, campaign: Campaign, period: str) -> tuple[Table, Table]:
    """The people asked (or waiting to be), per "provider / route"; and those never asked,
    per provider, by the reason their run records."""
    rows = store.progress(db, campaign.id or 0, period)
    names = {r.provider_id: repo.provider_name(db, r.provider_id) for r in rows}
    table: Table = {}
    left_out: Table = {}
    for row in rows:
        if row.not_invited:
            left_out.setdefault(names[row.provider_id], Counter())[row.status] += row.count
            continue
        label = f"{names[row.provider_id]} / {row.route or '-'}"
        table.setdefault(label, Counter())[row.status] += row.count
    return table, left_out


def not_invited_json(left_out: Table) -> dict[str, Any]:
    """``not_invited`` as ``preview`` has it (reason → people), and the same per provider."""
    total: Counter[str] = sum(left_out.values(), Counter())
    return {
        "not_invited": dict(sorted(total.items())),
        "not_invited_by_provider": {
            provider: dict(sorted(counts.items())) for provider, counts in sorted(left_out.items())
        },
    }


def _print_not_invited(left_out: Table, indent: str = "") -> None:
    total = sum(sum(counts.values()) for counts in left_out.values())
    if not total:
        typer.echo(f"{indent}not invited: nobody")
        return
    typer.echo(f"{indent}not invited: {total} (not counted above)")
    for provider, counts in sorted(left_out.items()):
        reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items()))
        typer.echo(f"{indent}  {provider}: {reasons}")


def _print_waves(waves: dict[str, tuple[Table, Table]], output: str) -> None:
    if output == "json":
        shown = {
            wave: {label: counts_json(c) for label, c in table.items()}
            for wave, (table, _) in waves.items()
        }
        left_out = {wave: not_invited_json(left) for wave, (_, left) in waves.items()}
        typer.echo(
            json.dumps(
                {
                    "waves": shown,
                    "not_invited": {w: n["not_invited"] for w, n in left_out.items()},
                    "not_invited_by_provider": {
                        w: n["not_invited_by_provider"] for w, n in left_out.items()
                    },
                },
                indent=2,
            )
        )
        return
    for wave, (table, left) in waves.items():
        typer.echo(f"wave {wave}" + ("" if table or left else ": nobody asked yet"))
        for label, counts in sorted(table.items()):
            typer.echo(_bar(label, counts))
        if left:
            _print_not_invited(left, "  ")


ASKED = ("invited", "delivered", "started", "finished", "opted out", "failed")


def progress_counts(counts: Counter[str]) -> dict[str, int]:
    """Cumulative: someone who finished was also invited, delivered and started."""
    asked = sum(counts[stage] for stage in ASKED)
    return {
        "invited": asked,
        "delivered": counts["delivered"] + counts["started"] + counts["finished"],
        "started": counts["started"] + counts["finished"],
        "finished": counts["finished"],
        "opted out": counts["opted out"],
        "failed": counts["failed"],
    }


def counts_json(counts: Counter[str]) -> dict[str, int]:
    """The cumulative counts, as the bar shows them, with the stages of those not asked yet
    (waiting): the raw stages must never overwrite the cumulative ones."""
    return dict(counts) | progress_counts(counts)


def _bar(label: str, counts: Counter[str], width: int = 20) -> str:
    shown = progress_counts(counts)
    asked, done = shown["invited"], shown["finished"]
    filled = round(width * done / asked) if asked else 0
    parts = ", ".join(f"{stage} {n}" for stage, n in shown.items())
    others = ", ".join(f"{s} {n}" for s, n in sorted(counts.items()) if s not in ASKED)
    line = f"{label:30} [{'#' * filled}{'.' * (width - filled)}] {done}/{asked} finished"
    return f"{line}  {parts}{'; not asked: ' + others if others else ''}"

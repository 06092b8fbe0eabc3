"""``carevoice users``: who signs in to the dashboard, and their sessions. Mounted by bot/cli::

    app.add_typer(users_app, name="users")

Passwords are typed twice at a hidden prompt, or read from standard input with
``--password-stdin`` (for scripts); never given as an argument, where the shell history and the
process list would keep them.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from sqlmodel import Session, col, select

from bot.cli.support import actor, fail, now, opened, plain_help
from bot.config.settings import Settings
from bot.dashboard.access import Role
from bot.dashboard.auth import find_user, hash_password, normalise_email, password_problem
from bot.web.sessions import timeouts_of
from reports.indicators import flows as all_flows
from storage import sessions as stored_sessions
from storage.db import transaction
from storage.models import Provider, User, UserSession
from storage.providers import provider_names, unknown_provider
from storage.repository import audit, provider_by_name

users_app = typer.Typer(help="People who sign in to the reports dashboard.", no_args_is_help=True)


class Format(StrEnum):
    table = "table"
    json = "json"


@users_app.command("add")
@plain_help
def users_add(
    email: Annotated[str, typer.Argument(help="Their email address: what they sign in with.")],
    role: Annotated[Role, typer.Option(help="What they may see.")],
    provider: Annotated[
        str | None, typer.Option(help="For --role provider: the provider they work for.")
    ] = None,
    flow: Annotated[
        list[str] | None, typer.Option(help="For --role organiser: a survey id; repeat for more.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a dashboard user.

    Roles: commissioner (every provider, safeguarding triage), provider (its own provider's
    report only), organiser (results of its own surveys only), admin (as commissioner).
    """
    email = normalise_email(email)
    if "@" not in email or " " in email:
        raise fail(f"{email!r} is not an email address")
    flows = _check_role(role, provider, flow or [])
    password = _password(password_stdin)
    with opened(with_vault=False) as ctx, transaction(ctx.engine) as session:
        _check_flows(ctx.settings, flows)
        provider_id = _provider_id(session, provider)
        if find_user(session, email) is not None:
            raise fail(f"there is already a user {email}")
        user = User(
            email=email,
            password_hash=hash_password(password),
            role=role.value,
            provider_id=provider_id,
            flow_ids=flows or None,
            created_at=now(),
        )
        session.add(user)
        detail = {"role": role.value, "provider": provider, "flows": flows}
        audit(session, actor(), "user.add", f"user:{email}", detail, now())
    typer.echo(f"added {email} ({role.value})")


def _check_role(role: Role, provider: str | None, flows: list[str]) -> list[str]:
    if role is Role.provider and not provider:
        raise fail("a provider user needs --provider NAME")
    if role is not Role.provider and provider:
        raise fail("--provider is only for --role provider")
    if role is Role.organiser and not flows:
        raise fail("an organiser needs at least one --flow ID (their survey)")
    if role is not Role.organiser and flows:
        raise fail("--flow is only for --role organiser")
    return list(dict.fromkeys(flows))


def _check_flows(settings: Settings, wanted: list[str]) -> None:
    known = {flow.id for flow in all_flows(settings.flows_dir)}
    unknown = [flow_id for flow_id in wanted if flow_id not in known]
    if unknown:
        raise fail(f"no survey called {', '.join(unknown)} (see `carevoice flows list`)")


def _provider_id(session: Session, name: str | None) -> int | None:
    if name is None:
        return None
    found = provider_by_name(session, name)
    if found is None:
        fix = "see `carevoice providers list`"
        raise fail(unknown_provider(name, provider_names(session), fix))
    return found.id


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password)
    if problem:
        raise fail(problem)
    return password


@users_app.command("list")
@plain_help
def users_list(
    format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
) -> None:
    """List dashboard users (never their passwords)."""
    with opened(with_vault=False) as ctx, transaction(ctx.engine) as session:
        query = (
            select(User, Provider.name)
            .join(Provider, col(Provider.id) == User.provider_id, isouter=True)
            .order_by(col(User.email))
        )
        rows = [_row(user, name) for user, name in session.exec(query)]
    if format is Format.json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        typer.echo("no users yet: add one with `carevoice users add EMAIL --role ...`")
        return
    width = max(len(str(r["email"])) for r in rows)
    typer.echo(f"{'EMAIL':<{width}}  {'ROLE':<12}  {'ACTIVE':<6}  PROVIDER OR SURVEYS")
    for r in rows:
        flows = r["flows"]
        scope = r["provider"] or (", ".join(flows) if isinstance(flows, list) else "")
        active = "yes" if r["active"] else "no"
        typer.echo(f"{r['email']!s:<{width}}  {r['role']!s:<12}  {active:<6}  {scope}")


def _row(user: User, provider: str | None) -> dict[str, object]:
    return {
        "email": user.email,
        "role": user.role,
        "provider": provider,
        "flows": user.flow_ids,
        "active": user.active,
        "created_at": user.created_at.isoformat(),
    }


def _user(session: Session, email: str) -> User:
    user = find_user(session, email)
    if user is None or user.id is None:
        raise fail(f"no user {normalise_email(email)} (see `carevoice users list`)")
    return user


@users_app.command("deactivate")
@plain_help
def users_deactivate(
    email: Annotated[str, typer.Argument(help="The user's email address.")],
) -> None:
    """Stop a user signing in, and end their sessions at once (the account is kept, for the
    audit log)."""
    with opened(with_vault=False) as ctx, transaction(ctx.engine) as session:
        user = _user(session, email)
        user.active = False
        session.add(user)
        ended = stored_sessions.end_all(session, user.id or 0)
        audit(session, actor(), "user.deactivate", f"user:{user.email}", {"ended": ended}, now())
    typer.echo(f"deactivated {user.email}; ended {ended} session(s)")


@users_app.command("password")
@plain_help
def users_password(
    email: Annotated[str, typer.Argument(help="The user's email address.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a new password; every session the user has is ended, wherever it is."""
    password = _password(password_stdin)
    with opened(with_vault=False) as ctx, transaction(ctx.engine) as session:
        user = _user(session, email)
        user.password_hash = hash_password(password)
        session.add(user)
        ended = stored_sessions.end_all(session, user.id or 0)
        audit(session, actor(), "user.password", f"user:{user.email}", {"ended": ended}, now())
    typer.echo(f"changed the password of {user.email}; ended {ended} session(s)")


@users_app.command("sessions")
@plain_help
def users_sessions(
    email: Annotated[str, typer.Argument(help="The user's email address.")],
    revoke: Annotated[bool, typer.Option("--revoke", help="End them all now.")] = False,
    format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
) -> None:
    """List a user's live dashboard sessions (when each began and was last used); with
    --revoke, end them all at once, e.g. after a lost laptop."""
    with opened(with_vault=False) as ctx, transaction(ctx.engine) as session:
        user = _user(session, email)
        live = stored_sessions.live_sessions(
            session, user.id or 0, now(), timeouts_of(ctx.settings)
        )
        rows = [_session_row(row) for row in live]
        if revoke:
            ended = stored_sessions.end_all(session, user.id or 0)
            detail = {"ended": ended}
            audit(session, actor(), "user.sessions_revoked", f"user:{user.email}", detail, now())
    if format is Format.json:
        typer.echo(json.dumps({"sessions": rows, "revoked": revoke}, indent=2))
    else:
        typer.echo(f"{len(rows)} live session(s) for {user.email}")
        for r in rows:
            typer.echo(f"  #{r['id']}  since {r['created_at']}  last used {r['last_seen_at']}")
        if revoke:
            typer.echo("all ended")


def _session_row(row: UserSession) -> dict[str, object]:
    return {
        "id": row.id,
        "created_at": row.created_at.isoformat(timespec="seconds"),
        "last_seen_at": row.last_seen_at.isoformat(timespec="seconds"),
        "expires_at": row.expires_at.isoformat(timespec="seconds"),
    }

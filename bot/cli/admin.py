"""Commands for the people who run carevoice: the database, providers, contacts and retention.

Mounted in ``bot.cli.main``::

    app.add_typer(db_app, name="db")
    app.add_typer(providers_app, name="providers")
    app.add_typer(contacts_app, name="contacts")
    app.command("purge")(purge)
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from bot.cli.contacts import contacts_app
from bot.cli.support import actor, fail, now, opened, plain_help, settings
from bot.config.database import seal_with_key, shown
from storage import migrate
from storage.crypto import generate_key
from storage.db import make_engine, reclaim, transaction
from storage.key_rotation import rotate_keys
from storage.providers import ProviderError, add_provider, list_providers
from storage.retention import TABLES as RETAINED_TABLES
from storage.retention import BadAge, cutoff
from storage.retention import purge as purge_older

__all__ = ["contacts_app", "db_app", "providers_app", "purge"]

db_app = typer.Typer(help="The database: migrations and encryption keys.", no_args_is_help=True)
providers_app = typer.Typer(
    help="Care providers that people are asked about.", no_args_is_help=True
)


class Category(StrEnum):
    """Must match ``storage.models.CATEGORIES`` (a test checks)."""

    general_home_care = "general_home_care"
    specialist_home_care = "specialist_home_care"
    day_service = "day_service"
    childrens_service = "childrens_service"
    other = "other"


class Format(StrEnum):
    table = "table"
    json = "json"


Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


@db_app.command("upgrade")
@plain_help
def db_upgrade() -> None:
    """Bring the database schema up to date (safe to run again)."""
    config = settings()
    engine = make_engine(config.database_url)
    try:
        seal_with_key(engine, config)  # a migration may have words to encrypt
        before = migrate.current(engine)
        migrate.upgrade(engine)
    except Exception as error:  # any failure must reach the operator as a message, not a trace
        raise fail(f"cannot upgrade {shown(config.database_url)}: {error}") from None
    finally:
        engine.dispose()
    typer.echo(f"{shown(config.database_url)}: at {migrate.head()} (was {before or 'empty'})")


@db_app.command("new-key")
@plain_help
def db_new_key() -> None:
    """Print a new encryption key.

    To rotate: put the new key first in CAREVOICE_SECRET_KEY, keeping the old ones after it
    (comma-separated), restart, then run `carevoice db rotate-keys`.
    """
    typer.echo(generate_key())


@db_app.command("rotate-keys")
@plain_help
def db_rotate_keys() -> None:
    """Re-encrypt every stored identity with the newest key, and re-key every pseudonym.

    All in one transaction. Keep the older keys configured afterwards if it reports opt-outs of
    erased people: those can only ever be matched under the key they were made with.
    """
    with opened() as ctx, transaction(ctx.engine) as session:
        report = rotate_keys(session, ctx.vault, now(), actor())
    typer.echo(report.summary)


@providers_app.command("add")
@plain_help
def providers_add(
    name: Annotated[str, typer.Argument(help="The provider's name, as contract managers know it.")],
    category: Annotated[
        Category, typer.Option(help="Kind of service.")
    ] = Category.general_home_care,
    commissioner: Annotated[
        list[str] | None, typer.Option(help="A commissioner it reports to; repeat for several.")
    ] = None,
) -> None:
    """Add a care provider."""
    with opened(with_vault=False) as ctx:
        try:
            with transaction(ctx.engine) as session:
                provider = add_provider(
                    session, name, category.value, commissioner or [], now(), actor()
                )
        except ProviderError as error:
            raise fail(str(error)) from None
    typer.echo(f"added provider {provider.name!r} ({provider.category})")


@providers_app.command("list")
@plain_help
def providers_list(
    format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
) -> None:
    """List providers, with how many contacts each has."""
    with opened(with_vault=False) as ctx, transaction(ctx.engine) as session:
        providers = list_providers(session)
    if format is Format.json:
        rows = [{**p.__dict__, "created_at": p.created_at.isoformat()} for p in providers]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not providers:
        typer.echo("no providers yet: add one with `carevoice providers add NAME`")
        return
    width = max(len(p.name) for p in providers)
    typer.echo(f"{'NAME':<{width}}  {'CATEGORY':<20}  {'CONTACTS':>8}  COMMISSIONERS")
    for p in providers:
        who = ", ".join(p.commissioners)
        typer.echo(f"{p.name:<{width}}  {p.category:<20}  {p.contacts:>8}  {who}")


@plain_help
def purge(
    older_than: Annotated[
        str, typer.Option("--older-than", help="Age such as 90d, 24m (months) or 2y.")
    ],
    yes: Yes = False,
) -> None:
    """Retention: delete message logs and people's free text older than the given age.

    Inbound message logs and the outbox are deleted; free text is removed from answers and
    finished conversations. Structured answers, safeguarding flags and the opt-out list stay.
    """
    try:
        before = cutoff(older_than, now())
    except BadAge as error:
        raise fail(str(error)) from None
    if not yes:
        typer.confirm(f"Delete messages and free text from before {before:%d %B %Y}?", abort=True)
    with opened() as ctx:
        with transaction(ctx.engine) as session:
            report = purge_older(session, before, now(), actor(), vault=ctx.vault)
        disk = reclaim(ctx.engine, RETAINED_TABLES)
    typer.echo(report.summary)
    typer.echo(f"on disk: {disk}")

"""``carevoice contacts``: import people, and answer subject-access and erasure requests."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from sqlmodel import Session

from bot.cli.support import Context, actor, fail, now, opened, plain_help
from storage.contact_import import ImportReport, import_contacts
from storage.contact_rows import ContactCsv
from storage.csv_rows import CsvHeaderError
from storage.db import reclaim, transaction
from storage.erasure import TABLES as ERASURE_TABLES
from storage.erasure import ErasureBlocked, erase_person
from storage.people import Person, UnknownPerson, find_person, identifiers
from storage.phones import InvalidPhone
from storage.providers import find_provider, provider_names, unknown_provider
from storage.subject_access import export_person

contacts_app = typer.Typer(
    help="People we may ask: import them, export or erase what is held about one.",
    no_args_is_help=True,
)
PROGRESS_FROM = 500  # lines; smaller files import in a blink

PersonArg = Annotated[
    str,
    typer.Argument(
        metavar="PERSON",
        help="A phone number (07700 900123 or +447700900123), telegram:CHAT_ID or an e-mail.",
    ),
]


@contacts_app.command("import")
@plain_help
def contacts_import(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, metavar="FILE.csv")
    ],
    provider: Annotated[
        str, typer.Option("--provider", help="Provider the people receive care from.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count; write nothing.")
    ] = False,
    include_erased: Annotated[
        bool,
        typer.Option(
            "--include-erased",
            help="Add again people who were erased (only when they asked to be added back).",
        ),
    ] = False,
) -> None:
    """Import contacts from a CSV file (UTF-8, first line the column names).

    Columns: name, language (e.g. en, cy, pl; blank means en) and at least one of phone,
    telegram (chat id), email. Optional: easy_read, large_print (yes/no), answers_on_behalf
    (who answers for the person, as a relationship such as "daughter" — not a name: it is not
    encrypted), preferred_channel (sms, telegram, web_sms or web_email: how campaigns ask them),
    started_on (the date they started with the provider, as YYYY-MM-DD: per-person outcome
    campaigns ask their baseline then and follow-ups months later; blank keeps what is held).
    Phone numbers without +country are read as UK ones.

    Someone already held (same phone, chat id or e-mail, earlier in the file or imported before)
    is merged, not added twice. Every bad row is reported as FILE:LINE: reason and skipped; the
    rest is imported in one transaction. Exits 1 if any row was rejected: fix those rows and
    import the file again — rows already imported merge, never duplicate.
    """
    with opened() as ctx:
        report = _import_file(ctx, file, provider, dry_run, include_erased)
    notes = [(p.line, f"note: {p.reason}") for p in report.warnings]
    for line, reason in sorted([*notes, *((p.line, p.reason) for p in report.rejected)]):
        typer.echo(f"{file}:{line}: {reason}", err=True)
    typer.echo(("dry run, nothing written: " if dry_run else "") + report.summary)
    if report.rejected:
        raise typer.Exit(1)


def _import_file(
    ctx: Context, file: Path, provider_name: str, dry_run: bool, include_erased: bool
) -> ImportReport:
    with Session(ctx.engine, expire_on_commit=False) as session:
        provider = find_provider(session, provider_name)
        if provider is None:
            fix = "see `carevoice providers list`, or add it with `carevoice providers add`"
            raise fail(unknown_provider(provider_name, provider_names(session), fix))
        try:
            with file.open(encoding="utf-8-sig", newline="") as handle, _progress(file) as tick:
                table = ContactCsv(handle, ctx.settings.phone_region)
                if table.ignored:
                    typer.echo(f"{file}: ignoring columns {', '.join(table.ignored)}", err=True)
                report = import_contacts(
                    session, ctx.vault, provider, table, now(), tick, include_erased=include_erased
                )
        except CsvHeaderError as error:
            raise fail(f"{file}:{error}") from None
        except UnicodeDecodeError:
            raise fail(
                f"{file}: not UTF-8 text; nothing was imported. In Excel, save it as "
                "'CSV UTF-8 (Comma delimited)'"
            ) from None
        if dry_run:
            session.rollback()
        else:
            session.commit()
        return report


@contextmanager
def _progress(file: Path) -> Iterator[Callable[[], None] | None]:
    """A progress bar on stderr for large files, when a person is watching."""
    if not sys.stderr.isatty():
        yield None
        return
    with file.open("rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 16), b""))
    if lines < PROGRESS_FROM:
        yield None
        return
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"importing {file.name}", total=lines)
        yield lambda: bar.advance(task)


@contextmanager
def _person(ctx: Context, session: Session, who: str) -> Iterator[Person]:
    try:
        yield find_person(session, ctx.vault, identifiers(who, ctx.settings.phone_region))
    except InvalidPhone as error:
        raise fail(f"{error}; give a phone number, telegram:CHAT_ID or an e-mail") from None
    except UnknownPerson:
        raise fail("nothing is held about that person (check the number)") from None


@contacts_app.command("export")
@plain_help
def contacts_export(
    who: PersonArg,
    out: Annotated[
        Path | None, typer.Option(help="Write to this file (readable by you only), not stdout.")
    ] = None,
) -> None:
    """Subject access: everything held about one person, as JSON.

    Includes safeguarding flags: have the data protection officer review the export before it
    is released (some records may be exempt from disclosure).
    """
    with opened() as ctx, transaction(ctx.engine) as session, _person(ctx, session, who) as person:
        data = export_person(session, ctx.vault, person, now(), actor())
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    typer.echo(f"wrote {out}", err=True)


@contacts_app.command("erase")
@plain_help
def contacts_erase(
    who: PersonArg,
    everything: Annotated[
        bool, typer.Option("--all", help="Also delete their answers and conversations.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Right to erasure: remove a person's identity and their free text.

    Deletes their phone numbers, chat ids, e-mails and name, the messages to and from them, and
    every free-text answer. Their structured answers (ratings, choices) stay, anonymous, for the
    statistics, unless --all. If they opted out, the opt-out stays on the suppression list (it
    holds only a keyed hash, not the number) so that they are never messaged again. Safeguarding
    flags are kept; a person with an open flag cannot be erased until it has been triaged.
    """
    if not yes:
        what = "and all their answers" if everything else "(anonymous answers are kept)"
        typer.confirm(f"Erase everything identifying this person {what}?", abort=True)
    with opened() as ctx:
        with transaction(ctx.engine) as session, _person(ctx, session, who) as person:
            try:
                report = erase_person(session, person, now(), everything, actor(), vault=ctx.vault)
            except ErasureBlocked as error:
                raise fail(f"not erased: {error}") from None
        disk = reclaim(ctx.engine, ERASURE_TABLES)  # after the commit: the old text off disk
    typer.echo(report.summary)
    typer.echo(f"on disk: {disk}")

"""``carevoice report`` and ``carevoice answers import``: monthly reports and answers from
elsewhere. Mounted by bot/cli.py::

    app.command("report")(report)
    app.add_typer(answers_app, name="answers")
"""

from __future__ import annotations

import getpass
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from bot.cli.support import fail
from bot.config.database import DatabaseNotReady, open_database
from bot.config.settings import Settings
from bot.surveys.text_analysis import DefaultTextAnalysis
from flows.errors import FlowError
from reports.build import ReportError, all_providers_report, provider_report
from reports.config import ReportConfig
from reports.indicators import flows
from reports.render.formats import Format, render
from storage.answer_import import ImportResult, import_answers
from storage.csv_rows import CsvHeaderError
from storage.db import transaction

answers_app = typer.Typer(
    help="Answers collected elsewhere (paper surveys, an earlier system).", no_args_is_help=True
)


def _engine(settings: Settings) -> Engine:
    try:
        return open_database(settings)
    except DatabaseNotReady as error:
        raise fail(str(error)) from None


def _settings() -> tuple[Settings, ReportConfig]:
    try:
        return Settings(), ReportConfig()
    except ValidationError as error:
        raise fail(f"configuration (CAREVOICE_*): {error}") from None


def report(
    month: Annotated[
        str | None, typer.Option(help="Calendar month, YYYY-MM (UK time), e.g. 2026-10.")
    ] = None,
    provider: Annotated[str | None, typer.Option(help="Provider name (any case).")] = None,
    all_providers: Annotated[
        bool, typer.Option("--all-providers", help="All providers together, side by side.")
    ] = False,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.html,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write here. Default: stdout for html/csv/json, a named file for pdf/xlsx."
        ),
    ] = None,
) -> None:
    """Make a provider's monthly report (or --all-providers) for a contract review."""
    if provider is not None and all_providers:
        raise typer.BadParameter("give --provider NAME or --all-providers, not both")
    # Everything missing is named at once, rather than one option per attempt.
    missing = [] if month is not None else ["--month YYYY-MM"]
    if provider is None and not all_providers:
        missing.append("--provider NAME (or --all-providers)")
    if missing:
        typer.echo(f"carevoice report needs {' and '.join(missing)}", err=True)
        typer.echo(
            "for example: carevoice report --provider 'Sunrise Care' --month 2026-10", err=True
        )
        raise typer.Exit(2)
    assert month is not None  # for mypy: named above when missing
    settings, config = _settings()
    engine = _engine(settings)
    try:
        if provider is not None:
            made = provider_report(engine, provider, month, config, settings.flows_dir)
        else:
            made = all_providers_report(engine, month, config, settings.flows_dir)
    except (ReportError, DBAPIError) as error:
        raise fail(_one_line(error)) from None
    finally:
        engine.dispose()
    body = render(made, fmt)
    if out is None and fmt.binary:
        out = Path(f"report-{_slug(made.provider or 'all-providers')}-{month}.{fmt.value}")
    if out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return
    out.write_bytes(body)
    typer.echo(f"wrote {out}", err=True)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "provider"


def _one_line(error: Exception) -> str:
    if isinstance(error, DBAPIError):
        return f"database error: {str(error.orig).splitlines()[0]}"
    return str(error)


@answers_app.command("import")
def answers_import(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="CSV: provider,date,channel,flow,question,value,text"
        ),
    ],
    create_providers: Annotated[
        bool,
        typer.Option(
            "--create-providers", help="Add providers the file names that do not exist yet."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the whole file and report; keep nothing.")
    ] = False,
) -> None:
    """Import answers from a CSV file. Good rows are imported and every bad row is reported
    with its line number (exit 1 if any). Importing the same file again changes nothing.

    Columns: provider, date (YYYY-MM-DD), channel (sms, telegram, web, telephone, paper, …),
    flow, question, value (an option value; several joined by ; for multiple choice), text
    (optional free text), respondent (optional: rows with the same respondent are one person).
    A provider the file names that does not exist is a bad row (with the nearest known name
    suggested) unless --create-providers is given."""
    settings, _ = _settings()
    engine = _engine(settings)
    try:
        result = _import(engine, file, settings, create_providers, dry_run)
    except CsvHeaderError as error:
        raise fail(f"{file}: {error}") from None
    except (DBAPIError, FlowError) as error:
        raise fail(_one_line(error)) from None
    finally:
        engine.dispose()
    for problem in result.problems:
        typer.echo(f"{file}:{problem.line}: {problem.reason}", err=True)
    created = (
        f"; new providers: {', '.join(result.providers_created)}"
        if result.providers_created
        else ""
    )
    flagged = f"; {result.flagged} flagged for safeguarding triage" if result.flagged else ""
    for name, nearest in result.unknown_providers.items():
        hint = f" — did you mean {nearest!r}?" if nearest else ""
        typer.echo(
            f"no provider called {name!r}{hint} (add --create-providers to add it)", err=True
        )
    verb = "would import" if result.dry_run else "imported"
    typer.echo(
        f"{verb} {result.imported} answers, {result.already} already imported, "
        f"{len(result.problems)} bad rows{created}{flagged}"
    )
    if result.dry_run:
        typer.echo("dry run: nothing kept")
    if result.problems:
        raise typer.Exit(1)


def _import(
    engine: Engine, file: Path, settings: Settings, create_providers: bool, dry_run: bool
) -> ImportResult:
    catalog = {flow.id: flow for flow in flows(settings.flows_dir)}
    with file.open(encoding="utf-8-sig", newline="") as handle, transaction(engine) as session:
        return import_answers(
            session, handle, catalog, DefaultTextAnalysis(), datetime.now(UTC), _actor(),
            create_providers=create_providers, dry_run=dry_run,
        )  # fmt: skip


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name, e.g. in some containers
        return "cli"

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
from reports.outcome_report import outcomes_report
from reports.render.formats import Format, render, render_outcomes
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
    outcomes: Annotated[
        bool,
        typer.Option("--outcomes", help="Outcomes over time (needs --provider, --from and --to)."),
    ] = False,
    start: Annotated[
        str | None, typer.Option("--from", help="With --outcomes: first month, YYYY-MM.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="With --outcomes: last month, YYYY-MM.")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.html,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write here. Default: stdout for html/csv/json, a named file for pdf/xlsx."
        ),
    ] = None,
) -> None:
    """Make a provider's monthly report (or --all-providers) for a contract review; with
    --outcomes, whether people are better off than when the service started (--from, --to)."""
    if provider is not None and all_providers:
        raise typer.BadParameter("give --provider NAME or --all-providers, not both")
    if outcomes:
        _needs([(provider, "--provider NAME"), (start, "--from YYYY-MM"), (end, "--to YYYY-MM")])
    else:
        _needs([(month, "--month YYYY-MM"), (provider or all_providers or None, _WHO)])
    settings, config = _settings()
    engine = _engine(settings)
    try:
        if outcomes and provider and start and end:
            section = outcomes_report(engine, provider, start, end, config, settings.flows_dir)
            body, name = render_outcomes(section, fmt), f"outcomes-{_slug(provider)}-{start}-{end}"
        else:
            made = (
                provider_report(engine, provider, str(month), config, settings.flows_dir)
                if provider is not None
                else all_providers_report(engine, str(month), config, settings.flows_dir)
            )
            body, name = render(made, fmt), f"{_slug(made.provider or 'all-providers')}-{month}"
    except (ReportError, DBAPIError) as error:
        raise fail(_one_line(error)) from None
    finally:
        engine.dispose()
    _write(body, out or (Path(f"report-{name}.{fmt.value}") if fmt.binary else None))


_WHO = "--provider NAME (or --all-providers)"


def _needs(wanted: list[tuple[object, str]]) -> None:
    """Name everything missing at once, rather than one option per attempt (exit 2: usage)."""
    missing = [option for value, option in wanted if not value]
    if missing:
        typer.echo(f"carevoice report needs {' and '.join(missing)}", err=True)
        example = "carevoice report --provider 'Sunrise Care' --month 2026-10"
        typer.echo(f"for example: {example}", err=True)
        raise typer.Exit(2)


def _write(body: bytes, out: Path | None) -> None:
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

"""The ``carevoice`` command. Exit codes: 0 ok, 1 a problem the user must fix, 2 usage."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from bot.admin_commands import contacts_app, db_app, providers_app, purge
from bot.channels.sms_format import render, segments
from bot.chat import TerminalChat, utc_now
from bot.command_support import fail
from bot.report_commands import answers_app, report
from bot.sms_commands import invite, worker
from bot.text_commands import app as text_app
from bot.users_commands import users_app
from flows.definition import Flow
from flows.engine import choose_language
from flows.errors import FlowError, FlowLoadError
from flows.graph import mermaid
from flows.loader import bundled_ids, load, load_file, resolve

app = typer.Typer(
    help="carevoice: ask people about the care they receive, and turn answers into evidence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
flows_app = typer.Typer(help="Write, check and preview survey flows.", no_args_is_help=True)
app.add_typer(flows_app, name="flows")
app.add_typer(text_app, name="text")
app.add_typer(db_app, name="db")
app.add_typer(providers_app, name="providers")
app.add_typer(contacts_app, name="contacts")
app.command("purge")(purge)
app.command("invite")(invite)
app.command("report")(report)
app.add_typer(answers_app, name="answers")
app.add_typer(users_app, name="users")
app.command("worker")(worker)

FlowArg = Annotated[str, typer.Argument(help="A flow file, or the id of a bundled flow.")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Language code, e.g. en or en-easy.")]


def load_or_fail(flow: str) -> Flow:
    try:
        return load(flow)
    except FlowError as error:
        raise fail(str(error)) from None


@flows_app.command("check")
def flows_check(
    paths: Annotated[list[str], typer.Argument(help="Flow files or bundled flow ids.")],
) -> None:
    """Check flows; print every problem as file:line:col: message. Exit 1 on any."""
    failed = False
    for name in paths:
        try:
            flow = load_file(resolve(name))
        except FlowLoadError as error:
            failed = True
            typer.echo(str(error), err=True)
        except FlowError as error:
            failed = True
            typer.echo(f"{name}: {error}", err=True)
        else:
            typer.echo(f"{name}: ok ({flow.id} v{flow.version}, {len(flow.questions)} questions)")
    if failed:
        raise typer.Exit(1)


@flows_app.command("list")
def flows_list() -> None:
    """List the bundled flows."""
    for flow_id in bundled_ids():
        flow = load(flow_id)
        languages = ", ".join(flow.all_languages)
        typer.echo(f"{flow_id:<24} v{flow.version}  {flow.title} [{languages}]")


@flows_app.command("schema")
def flows_schema(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of the flow language, for editors."""
    schema = Flow.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "carevoice flow"
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


@flows_app.command("graph")
def flows_graph(flow: FlowArg, lang: LangOpt = None) -> None:
    """Print a Mermaid diagram of a flow."""
    loaded = load_or_fail(flow)
    typer.echo(mermaid(loaded, choose_language(loaded, lang)), nl=False)


@flows_app.command("preview")
def flows_preview(
    flow: FlowArg,
    channel: Annotated[str, typer.Option(help="Only `sms` is available so far.")] = "sms",
    lang: LangOpt = None,
) -> None:
    """Show every question as the channel would send it, with its SMS segment count."""
    if channel != "sms":
        raise fail(f"unknown channel {channel!r}: choose sms")
    from bot.preview import preview_messages

    loaded = load_or_fail(flow)
    for title, message in preview_messages(loaded, choose_language(loaded, lang)):
        text = render(message, unicode=loaded.unicode)
        cost = segments(text)
        typer.echo(f"── {title} · {cost.encoding}, {cost.units} chars, {cost.count} SMS")
        typer.echo(text + "\n")


def _stdin_lines(interactive: bool) -> Iterator[str]:
    if not interactive:
        yield from sys.stdin
        return
    while True:
        try:
            yield input("you> ")
        except EOFError:
            return


@app.command()
def chat(
    flow: FlowArg,
    lang: LangOpt = None,
    provider: Annotated[
        str | None, typer.Option(help="Provider name (for {provider}; required with --record).")
    ] = None,
    answers_json: Annotated[
        bool,
        typer.Option(
            "--answers-json",
            help="When it ends, print the answers as one JSON object (the chat goes to stderr).",
        ),
    ] = False,
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="Store the answers (channel telephone): a survey done by phone or paper.",
        ),
    ] = False,
    person: Annotated[
        str | None, typer.Option("--as", help="With --record: the person's phone number, if known.")
    ] = None,
) -> None:
    """Run a conversation in the terminal; answers may be piped in, one message per line."""
    lines = _stdin_lines(sys.stdin.isatty())
    if record:
        _recorded_chat(flow, provider, person, lines)
        return
    loaded = load_or_fail(flow)
    out = sys.stderr if answers_json else sys.stdout
    conversation = TerminalChat(loaded, out)
    values = {"provider": provider} if provider else {}
    session = conversation.run(lines, lang, values)
    if session.active:
        out.write("(the conversation was left unfinished)\n")
    if answers_json:
        typer.echo(conversation.answers_json())


def _recorded_chat(
    flow: str, provider: str | None, person: str | None, lines: Iterator[str]
) -> None:
    from bot.database import DatabaseNotReady, open_database
    from bot.flow_catalog import FlowCatalog
    from bot.recorded_chat import RecordingError, record_chat
    from bot.settings import Settings, vault_for
    from storage.phones import InvalidPhone, normalise_phone

    if provider is None:
        raise fail("--record needs --provider NAME: answers are counted per provider")
    settings = Settings()
    try:
        phone = normalise_phone(person, settings.phone_region) if person else None
        engine = open_database(settings)
        catalog = FlowCatalog.load(settings.flows_dir)
        result = record_chat(
            engine, vault_for(settings), catalog, flow, provider, phone, lines, sys.stdout, utc_now
        )
    except (RecordingError, InvalidPhone, FlowError, DatabaseNotReady, LookupError) as error:
        raise fail(str(error)) from None
    typer.echo(
        f"recorded: conversation {result.conversation_id}, {result.status} (channel telephone)"
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Run the HTTP service (all channels plug into it)."""
    import uvicorn

    from bot.database import DatabaseNotReady, open_database
    from bot.settings import Settings, vault_for

    settings = Settings()
    try:
        open_database(settings).dispose()  # refuses to start on a database that needs migrating
    except DatabaseNotReady as error:
        raise fail(str(error)) from None
    vault_for(settings)  # creates the local key on first run of the SQLite default
    typer.echo(f"carevoice is listening on http://{host}:{port}")
    typer.echo(f"  health:    http://{host}:{port}/healthz")
    typer.echo(f"  readiness: http://{host}:{port}/readyz")
    typer.echo(f"  reports:   http://{host}:{port}/reports  (accounts: carevoice users add)")
    typer.echo(f"  API docs:  http://{host}:{port}/docs")
    uvicorn.run("bot.app:create_app", factory=True, host=host, port=port, workers=workers)


def main() -> None:
    app()

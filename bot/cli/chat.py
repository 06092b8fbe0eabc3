"""``carevoice chat``: a conversation in the terminal, to try a flow or to record a survey done
by phone or on paper (channel ``telephone``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Annotated

import typer

from bot.channels.terminal.chat import TerminalChat, utc_now
from bot.cli.flows import FlowArg, LangOpt, load_or_fail
from bot.cli.support import fail
from flows.errors import FlowError


def _stdin_lines(interactive: bool) -> Iterator[str]:
    if not interactive:
        yield from sys.stdin
        return
    while True:
        try:
            yield input("you> ")
        except EOFError:
            return


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
    from bot.channels.terminal.recorded import RecordingError, record_chat
    from bot.config.database import DatabaseNotReady, open_database
    from bot.config.settings import Settings, vault_for
    from bot.surveys.catalog import FlowCatalog
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

"""``carevoice flows``: write, check, list, draw and preview survey flows."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from bot.channels.sms.format import segments
from bot.cli.support import fail
from bot.surveys.catalog import FlowCatalog
from flows.definition import Flow
from flows.engine import choose_language
from flows.errors import FlowError, FlowLoadError
from flows.graph import mermaid
from flows.loader import bundled_ids, load_file, resolve
from flows.validate import deprecations

flows_app = typer.Typer(help="Write, check and preview survey flows.", no_args_is_help=True)

FlowArg = Annotated[
    str,
    typer.Argument(help="A flow file, or the id of a bundled flow or one in CAREVOICE_FLOWS_DIR."),
]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Language code, e.g. en or en-easy.")]


def flows_dir() -> Path | None:
    # Settings come only from the environment and .env: with neither there is nothing to read,
    # and skipping pydantic-settings keeps `flows check` quick.
    if "CAREVOICE_FLOWS_DIR" not in os.environ and not Path(".env").exists():
        return None
    from bot.config.settings import Settings

    return Settings().flows_dir


def catalog() -> FlowCatalog:
    """The flows the service runs: bundled ones and those in ``CAREVOICE_FLOWS_DIR`` — the same
    catalog for every command, so an organiser's own flow is found everywhere by its id."""
    try:
        return FlowCatalog.load(flows_dir())
    except FlowError as error:
        raise fail(f"in CAREVOICE_FLOWS_DIR: {error}") from None


def find(flow: str) -> Flow:
    """A flow file, or a flow id from the catalog (raises ``FlowError`` or ``LookupError``)."""
    if Path(flow).is_file():
        return load_file(Path(flow))
    if flows_dir() is None and flow in bundled_ids():
        return load_file(resolve(flow))  # the same answer as the catalog's, without parsing all
    known = catalog()
    if flow not in known.entries:
        raise LookupError(
            f"no flow file or flow called {flow!r} (flows: {', '.join(sorted(known.entries))}; "
            "your own flows go in the folder named by CAREVOICE_FLOWS_DIR)"
        )
    return known.get(flow).flow


def load_or_fail(flow: str) -> Flow:
    try:
        return find(flow)
    except (FlowError, LookupError) as error:
        raise fail(str(error.args[0]) if isinstance(error, LookupError) else str(error)) from None


@flows_app.command("check")
def flows_check(
    paths: Annotated[list[str], typer.Argument(help="Flow files or bundled flow ids.")],
) -> None:
    """Check flows; print every problem as file:line:col: message. Exit 1 on any. Deprecated
    parts of the language are warnings, with what to do instead."""
    failed = False
    for name in paths:
        try:
            flow = find(name)
        except LookupError as error:
            failed = True
            typer.echo(f"{name}: {error.args[0]}", err=True)
        except FlowLoadError as error:
            failed = True
            typer.echo(str(error), err=True)
        except FlowError as error:
            failed = True
            typer.echo(f"{name}: {error}", err=True)
        else:
            typer.echo(f"{name}: ok ({flow.id} v{flow.version}, {len(flow.questions)} questions)")
            for warning in deprecations(flow):
                typer.echo(f"{name}: warning: {warning}", err=True)
    if failed:
        raise typer.Exit(1)


@flows_app.command("list")
def flows_list() -> None:
    """List the flows: bundled ones, then those in CAREVOICE_FLOWS_DIR (marked "yours")."""
    bundled = set(bundled_ids())
    for flow_id, entry in sorted(
        catalog().entries.items(), key=lambda e: (e[0] not in bundled, e[0])
    ):
        flow = entry.flow
        languages = ", ".join(flow.all_languages)
        mine = "" if flow_id in bundled else "  (yours)"
        typer.echo(f"{flow_id:<24} v{flow.version}  {flow.title} [{languages}]{mine}")


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
    channel: Annotated[
        str, typer.Option(help="A registered channel: sms, telephone (and those added later).")
    ] = "sms",
    lang: LangOpt = None,
) -> None:
    """Show every question as the channel would send it (for SMS, with its segment count)."""
    from bot.channels.base import with_opt_out_line
    from bot.channels.registry import UnknownChannel, build_registry
    from bot.channels.terminal.preview import preview_messages
    from bot.config.settings import Settings

    try:
        shown = build_registry(Settings()).get(channel)
    except UnknownChannel as error:
        raise fail(str(error)) from None
    loaded = load_or_fail(flow)
    language = choose_language(loaded, lang)
    for title, message in preview_messages(loaded, language):
        if title == "intro":  # the channel says how to opt out, in the first message
            message = with_opt_out_line(message, shown.opt_out_line(language))
        rendered = shown.render(message)
        text = "\n".join(rendered.parts)
        if shown.capabilities.charset == "gsm7":
            cost = segments(text)
            title = f"{title} · {cost.encoding}, {cost.units} chars, {cost.count} SMS"
        typer.echo(f"── {title}")
        typer.echo(text)
        for name, value in rendered.extra.items():
            typer.echo(f"   [{name}: {json.dumps(value, ensure_ascii=False)}]")
        typer.echo("")

"""``carevoice flows``: write, check, list, draw and preview survey flows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.channels.sms.format import segments
from bot.cli.support import fail
from flows.definition import Flow
from flows.engine import choose_language
from flows.errors import FlowError, FlowLoadError
from flows.graph import mermaid
from flows.loader import bundled_ids, load, load_file, resolve
from flows.validate import deprecations

flows_app = typer.Typer(help="Write, check and preview survey flows.", no_args_is_help=True)

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
    """Check flows; print every problem as file:line:col: message. Exit 1 on any. Deprecated
    parts of the language are warnings, with what to do instead."""
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
            for warning in deprecations(flow):
                typer.echo(f"{name}: warning: {warning}", err=True)
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

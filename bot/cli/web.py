"""``carevoice web``: the web form's public link, and its QR code for posters and newsletters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import segno
import typer

from bot.cli.support import fail
from bot.config.settings import Settings
from bot.surveys.catalog import FlowCatalog
from flows.errors import FlowError

web_app = typer.Typer(help="The web form: links and QR codes.", no_args_is_help=True)


@web_app.command("link")
def link(
    flow: Annotated[str, typer.Option("--flow", help="Id of the flow to share.")],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the QR code files.", file_okay=False)
    ] = Path(),
    provider: Annotated[
        str, typer.Option("--provider", help="Count answers for this provider (?provider=).")
    ] = "",
) -> None:
    """Print the public link of FLOW's web form and write its QR code as PNG and SVG."""
    settings = Settings()
    try:
        entry = FlowCatalog.load(settings.flows_dir).get(flow)
    except (LookupError, FlowError) as error:
        raise fail(str(error).strip("'\"")) from None
    address = f"{settings.public_url.rstrip('/')}/f/{entry.flow.id}"
    if provider:
        from urllib.parse import quote

        address += f"?provider={quote(provider)}"
    out.mkdir(parents=True, exist_ok=True)
    code = segno.make(address, error="m")
    png, svg = out / f"{entry.flow.id}-qr.png", out / f"{entry.flow.id}-qr.svg"
    code.save(str(png), scale=10, border=4)
    code.save(str(svg), scale=10, border=4, title=f"QR code for {address}")
    typer.echo(address)
    typer.echo(f"QR code: {png} and {svg}")

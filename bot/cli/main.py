"""The ``carevoice`` command. Exit codes: 0 ok, 1 a problem the user must fix, 2 usage."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.admin import contacts_app, db_app, providers_app, purge
from bot.cli.campaigns import campaigns_app
from bot.cli.chat import chat
from bot.cli.flows import flows_app
from bot.cli.invite import invite
from bot.cli.reports import answers_app, report
from bot.cli.support import fail
from bot.cli.text import app as text_app
from bot.cli.users import users_app
from bot.cli.worker import worker

app = typer.Typer(
    help="carevoice: ask people about the care they receive, and turn answers into evidence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
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
app.add_typer(campaigns_app, name="campaigns")
app.command("worker")(worker)
app.command("chat")(chat)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Run the HTTP service (all channels plug into it)."""
    import uvicorn

    from bot.config.database import DatabaseNotReady, open_database
    from bot.config.settings import Settings, vault_for

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

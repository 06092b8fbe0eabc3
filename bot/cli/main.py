"""The ``carevoice`` command. Exit codes: 0 ok, 1 a problem the user must fix, 2 usage.

Command groups are loaded when they are used, not before: importing every group would pull in
the web framework, the database layer and the report renderers just to print ``--help`` or check
a flow file. ``COMMANDS`` names each group's module and the one-line help shown in the list.
"""

from __future__ import annotations

import socket
from importlib import import_module
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

# uvicorn's C parser (a dependency): h11, its pure-Python default, cost ~1 ms of CPU more per
# request here (benchmarks/webhook.py, which serves its baselines with the same setting).
HTTP_PARSER = "httptools"

# name: (module, attribute — a Typer group or a command function, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "flows": ("bot.cli.flows", "flows_app", "Write, check and preview survey flows."),
    "chat": ("bot.cli.chat", "chat", "Run a conversation in the terminal, or record one."),
    "text": ("bot.cli.text", "app", "Sentiment, safeguarding, themes and redaction of text."),
    "db": ("bot.cli.admin", "db_app", "The database: migrations and encryption keys."),
    "providers": ("bot.cli.admin", "providers_app", "The providers whose people are asked."),
    "contacts": ("bot.cli.contacts", "contacts_app", "People: import, export, erase."),
    "purge": ("bot.cli.admin", "purge", "Delete what is older than the retention period."),
    "invite": (
        "bot.cli.invite",
        "invite",
        "Queue a survey for every eligible person of a provider.",
    ),
    "report": ("bot.cli.reports", "report", "A provider's (or all providers') monthly report."),
    "answers": ("bot.cli.reports", "answers_app", "Answers collected elsewhere (CSV import)."),
    "users": ("bot.cli.users", "users_app", "People who sign in to the reports dashboard."),
    "worker": ("bot.cli.worker", "worker", "Send what is queued, reminders and alerts."),
    "telegram": ("bot.cli.telegram", "telegram_app", "Telegram: webhook, long polling, links."),
    "web": ("bot.cli.web", "web_app", "The web form: public links and QR codes."),
    "campaigns": (
        "bot.cli.campaigns",
        "campaigns_app",
        "Surveys asked every month, by themselves.",
    ),
}


def load_command(name: str) -> Any:
    """The click command for ``name``, importing its module now."""
    module, attribute, _ = COMMANDS[name]
    target = getattr(import_module(module), attribute)
    command: Any
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)  # a group even when it has one command
    else:
        single = typer.Typer()
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """The root group: lists every command, imports one only when it runs (or shows its help)."""

    listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        if self.listing:  # the root's help needs only the one-line summary
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][2])
        return load_command(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    cls=LazyGroup,
    help="carevoice: ask people about the care they receive, and turn answers into evidence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def carevoice() -> None:
    """carevoice: ask people about the care they receive, and turn answers into evidence."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Run the HTTP service (all channels plug into it)."""
    import uvicorn

    from bot.cli.support import fail
    from bot.config.database import DatabaseNotReady, open_database
    from bot.config.settings import Settings, vault_for

    settings = Settings()
    try:
        open_database(settings).dispose()  # refuses to start on a database that needs migrating
    except DatabaseNotReady as error:
        raise fail(str(error)) from None
    vault_for(settings)  # creates the local key on first run of the SQLite default
    listening = _bind(host, port)  # before the banner: say "listening" only once it is true
    typer.echo(f"carevoice is listening on http://{host}:{port}")
    typer.echo(f"  health:    http://{host}:{port}/healthz")
    typer.echo(f"  readiness: http://{host}:{port}/readyz")
    typer.echo(f"  reports:   http://{host}:{port}/reports  (accounts: carevoice users add)")
    if settings.api_docs:
        typer.echo(f"  API docs:  http://{host}:{port}/docs")
    typer.echo(f"  OpenAPI:   http://{host}:{port}/openapi.json")
    # proxy_headers off: uvicorn would believe X-Forwarded-For from any proxy on 127.0.0.1;
    # bot/web/proxies.py believes only CAREVOICE_TRUSTED_PROXIES.
    config = uvicorn.Config(
        "bot.app:create_app", factory=True, host=host, port=port, workers=workers,
        proxy_headers=False, server_header=False, http=HTTP_PARSER,
    )  # fmt: skip
    server = uvicorn.Server(config)
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[listening]).run()
    else:
        server.run(sockets=[listening])


def _bind(host: str, port: int) -> socket.socket:
    from bot.cli.support import fail

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        listening.close()
        if error.errno == 98:  # EADDRINUSE
            raise fail(
                f"port {port} on {host} is already in use (another carevoice, or another "
                f"program): stop it, or choose another port, e.g. --port {port + 1}"
            ) from None
        raise fail(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listening.set_inheritable(True)  # worker processes share it
    return listening


def main() -> None:
    app()

"""``carevoice telegram``: register the webhook, poll instead of it, and make shareable links."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.support import fail, plain_help
from bot.config.settings import Settings

telegram_app = typer.Typer(
    help="Surveys in Telegram: webhook, long polling, deep links.", no_args_is_help=True
)
ALLOWED = ["message", "edited_message"]


@telegram_app.command("set-webhook")
@plain_help
def set_webhook() -> None:
    """Tell Telegram to send updates to CAREVOICE_PUBLIC_URL/telegram/webhook, with the secret
    token (CAREVOICE_TELEGRAM_SECRET) it must send back."""
    from telegram import Bot

    from bot.channels.telegram.pacing import Refused
    from bot.channels.telegram.sender import TelegramSender
    from bot.channels.telegram.webhook import WEBHOOK_PATH

    settings = Settings()
    if not settings.telegram_secret:
        raise fail("set CAREVOICE_TELEGRAM_SECRET (1-256 of A-Za-z0-9_-) first")
    url = settings.public_url.rstrip("/") + WEBHOOK_PATH
    if not url.startswith("https://"):
        raise fail(f"Telegram only calls https:// webhooks, not {url}: set CAREVOICE_PUBLIC_URL")

    async def register(bot: Bot) -> bool:
        return await bot.set_webhook(
            url, secret_token=settings.telegram_secret, allowed_updates=ALLOWED
        )

    try:
        sender = TelegramSender(settings)
    except ValueError as error:
        raise fail(str(error)) from None
    try:
        sender.call(register)
    except Refused as error:
        raise fail(str(error)) from None
    finally:
        sender.close()
    typer.echo(f"Telegram will send updates to {url}")


@telegram_app.command("poll")
@plain_help
def poll(
    once: Annotated[bool, typer.Option("--once", help="Answer what waits, then stop.")] = False,
    timeout: Annotated[int, typer.Option(min=0, max=50, help="Seconds per long poll.")] = 50,
) -> None:
    """Fetch updates with long polling instead of a webhook (no public address needed); stops
    with Ctrl-C. Removes any webhook, since Telegram allows one or the other."""
    from bot.channels.telegram.channel import TelegramChannel
    from bot.channels.telegram.pacing import Refused
    from bot.channels.telegram.polling import poll as run_poll
    from bot.config.database import DatabaseNotReady
    from bot.config.wiring import Services

    try:
        services = Services.build()
        channel = services.channels.get("telegram")
        assert isinstance(channel, TelegramChannel)  # the registry's, by its name
        intake = channel.intake(services)
    except (DatabaseNotReady, ValueError) as error:
        raise fail(str(error)) from None
    if not once:
        typer.echo("Polling Telegram for messages; Ctrl-C to stop.")
    try:
        summary = run_poll(intake, timeout=timeout, once=once)
    except Refused as error:
        raise fail(str(error)) from None
    except KeyboardInterrupt:  # the Bot's thread is a daemon: it ends with the process
        return
    intake.sender.close()
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.kinds.items())) or "none"
    typer.echo(f"{summary.updates} updates ({kinds})")


@telegram_app.command("link")
@plain_help
def link(
    flow: Annotated[str, typer.Option("--flow", help="The id of the flow the link starts.")],
    qr: Annotated[
        Path | None, typer.Option("--qr", help="Also write a QR code: a .png or .svg file.")
    ] = None,
    bot: Annotated[
        str | None, typer.Option("--bot", help="The bot's username (asked of Telegram if unset).")
    ] = None,
) -> None:
    """Print a link that opens the bot and starts FLOW, for a poster or a newsletter."""
    from bot.channels.telegram.links import deep_link, write_qr
    from bot.channels.telegram.pacing import Refused
    from bot.surveys.catalog import FlowCatalog

    settings = Settings()
    if flow not in FlowCatalog.load(settings.flows_dir).entries:
        raise fail(f"no flow {flow!r}: see carevoice flows list")
    try:
        username = bot or _username(settings)
        shared = deep_link(username, flow)
        if qr is not None:
            write_qr(shared, qr)
    except (ValueError, Refused, OSError) as error:
        raise fail(str(error)) from None
    typer.echo(shared)
    if qr is not None:
        typer.echo(f"QR code written to {qr}", err=True)


def _username(settings: Settings) -> str:
    """The bot's username, from Telegram (getMe)."""
    from bot.channels.telegram.sender import TelegramSender

    sender = TelegramSender(settings)
    try:
        return sender.username()
    finally:
        sender.close()

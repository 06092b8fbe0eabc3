"""What the operators' commands share: settings, database, vault, errors, who is acting."""

from __future__ import annotations

import getpass
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    # Imported where used: ``fail`` and ``plain_help`` serve commands that must start fast.
    from sqlalchemy import Engine

    from bot.config.settings import Settings
    from storage.crypto import Vault

Command = Callable[..., None]


def fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


def plain_help(command: Command) -> Command:
    """Join the docstring's wrapped lines: typer's help keeps line breaks, and should wrap to
    the terminal instead."""
    paragraphs = inspect.cleandoc(command.__doc__ or "").split("\n\n")
    command.__doc__ = "\n\n".join(" ".join(p.split()) for p in paragraphs)
    return command


def actor() -> str:
    """Who ran the command, for the audit log."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name, e.g. in some containers
        return "cli"


def now() -> datetime:
    return datetime.now(UTC)


def settings() -> Settings:
    from pydantic import ValidationError

    from bot.config.settings import Settings

    try:
        return Settings()
    except ValidationError as error:
        raise fail(f"configuration (CAREVOICE_*): {error}") from None


@dataclass(frozen=True)
class Context:
    settings: Settings
    engine: Engine
    vault: Vault


@contextmanager
def opened(with_vault: bool = True) -> Iterator[Context]:
    """Settings, a ready database and the vault; problems become a message and exit 1."""
    from sqlalchemy.exc import DBAPIError

    from bot.config.database import DatabaseNotReady, open_database
    from bot.config.settings import vault_for
    from storage.crypto import SecretKeyError, Vault

    config = settings()
    try:
        vault = vault_for(config) if with_vault else Vault(())
        engine = open_database(config)
    except (DatabaseNotReady, SecretKeyError) as error:
        raise fail(str(error)) from None
    try:
        yield Context(config, engine, vault)
    except DBAPIError as error:
        raise fail(f"database error: {error.orig}") from None
    finally:
        engine.dispose()

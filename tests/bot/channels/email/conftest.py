"""Fixtures for the e-mail channel's tests."""

from tests.bot.channels.email.harness import mail_server, mail_world

__all__ = ["mail_server", "mail_world"]

"""Fixtures for the web form's tests."""

from tests.bot.channels.web.harness import form_world

__all__ = ["form_world"]

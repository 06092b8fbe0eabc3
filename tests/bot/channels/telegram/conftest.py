"""Fixtures for the Telegram channel's tests."""

from tests.bot.channels.telegram.harness import telegram_world  # noqa: F401  (a pytest fixture)

"""Fixtures shared by the channel tests."""

from tests.bot.channels.sms.harness import sms_world  # noqa: F401  (a pytest fixture)

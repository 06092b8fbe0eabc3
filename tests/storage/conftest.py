"""Storage tests that need the service itself take it as an SMS carrier reaches it."""

from tests.bot.channels.sms.harness import sms_world  # noqa: F401  (a pytest fixture)

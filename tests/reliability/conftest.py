"""The reliability suite: the service attacked and overloaded the ways the hardening issue
measured, over real HTTP where it matters. Every test is bounded in time (threads are joined
with timeouts, generated examples are capped)."""

from tests.bot.channels.sms.harness import sms_world  # noqa: F401  (a pytest fixture)
from tests.bot.dashboard.conftest import world  # noqa: F401  (a pytest fixture)

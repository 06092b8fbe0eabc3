"""The web tests use the dashboard's running service and users, and the SMS world."""

from tests.bot.channels.sms.harness import sms_world  # noqa: F401  (a pytest fixture)
from tests.bot.dashboard.conftest import world  # noqa: F401  (a pytest fixture)

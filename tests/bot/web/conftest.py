"""The web tests use the dashboard's running service and users."""

from tests.bot.dashboard.conftest import world  # noqa: F401  (a pytest fixture)

"""The web dashboard: sign-in, monthly reports, consultation results and safeguarding triage.

Mounted in ``bot/app.py`` with one line::

    app.include_router(dashboard_router(settings, engine))
"""

from bot.dashboard.routes import dashboard_router

__all__ = ["dashboard_router"]

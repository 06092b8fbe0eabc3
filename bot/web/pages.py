"""Rendering pages (Jinja2, autoescaped) and turning every failure into a friendly HTML page.

``HtmlRoute`` is the route class of the dashboard's router: a ``PageError`` becomes its page, a
request it cannot read becomes a 400 page, a database that is down or locked a 503 page, and
anything unexpected is logged (route only, never the body) and shown as a plain 500 page: no
stack trace reaches a browser. Every response gets
security headers and ``Cache-Control: no-store``, because these pages hold health feedback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from functools import cache
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from bot.config.database import unavailable
from reports.render import words

log = logging.getLogger("carevoice.dashboard")

HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


class Redirect(Exception):
    """Stop and send the browser elsewhere (303 See Other)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class PageError(Exception):
    """Stop and show a page with this status, heading and explanation."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(title)
        self.status, self.title, self.message = status, title, message


def not_found() -> PageError:
    return PageError(
        404,
        "Page not found",
        "If you typed the web address, check it is correct. You may not have access to it.",
    )


@cache
def environment(package: str = "bot.dashboard") -> Environment:
    """Templates of ``package`` (the dashboard, or a web channel), falling back to the shared
    base templates here, so every page has the same layout, error page and macros."""
    env = Environment(
        loader=ChoiceLoader([PackageLoader(package, "templates"), PackageLoader("bot.web")]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = words.pct
    env.filters["month_name"] = words.month_name
    env.filters["count"] = lambda value: "—" if value is None else f"{value:,}"
    return env


def page(
    template: str, context: Mapping[str, Any], status: int = 200, package: str = "bot.dashboard"
) -> HTMLResponse:
    body = environment(package).get_template(template).render(**context)
    return HTMLResponse(body, status_code=status)


def error_page(error: PageError) -> HTMLResponse:
    context = {"title": error.title, "message": error.message, "viewer": None, "csrf": ""}
    return page("error.html.j2", context, error.status)


def _secured(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class HtmlRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return _secured(await original(request))
            except Redirect as redirect:
                return _secured(RedirectResponse(redirect.location, status_code=303))
            except PageError as error:
                return _secured(error_page(error))
            except RequestValidationError:
                bad = PageError(400, "Sorry, we could not read that", "Go back and try again.")
                return _secured(error_page(bad))
            except HTTPException as error:
                if error.status_code == 404:
                    return _secured(error_page(not_found()))
                return _secured(error_page(PageError(error.status_code, "Sorry", "Try again.")))
            except SQLAlchemyError as error:
                if not unavailable(error):
                    log.exception("unhandled error on %s %s", request.method, request.url.path)
                    return _secured(error_page(_broken()))
                log.warning("database unavailable on %s %s", request.method, request.url.path)
                busy = _secured(error_page(_busy()))
                busy.headers["Retry-After"] = "5"
                return busy
            except Exception:
                log.exception("unhandled error on %s %s", request.method, request.url.path)
                return _secured(error_page(_broken()))

        return handler


def _busy() -> PageError:
    return PageError(
        503, "Sorry, the service is busy", "Try again in a few seconds. Nothing you sent is lost."
    )


def _broken() -> PageError:
    return PageError(
        500,
        "Sorry, there is a problem with the service",
        "Try again later. If it keeps happening, tell the service's administrator.",
    )

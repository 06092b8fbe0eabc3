"""The web form's router: every page under ``/f/`` (public links, respondents, privacy,
stylesheets) and ``/s/`` (personal links). Errors are the form's own friendly pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response

from bot.channels.web.links import add_link_routes
from bot.channels.web.respond import add_respondent_routes
from bot.channels.web.views import PACKAGE, Form
from bot.web.pages import HtmlRoute, not_found

if TYPE_CHECKING:
    from bot.config.wiring import Services


class FormRoute(HtmlRoute):
    package = PACKAGE


def web_router(services: Services) -> APIRouter:
    form = Form.build(services)
    router = APIRouter(route_class=FormRoute, include_in_schema=False)
    add_link_routes(router, form)
    add_respondent_routes(router, form)

    @router.api_route("/f/{rest:path}", methods=["GET", "POST"])
    @router.api_route("/s/{rest:path}", methods=["GET", "POST"])
    def unknown(request: Request, rest: str) -> Response:
        raise not_found()

    return router

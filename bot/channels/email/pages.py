"""The unsubscribe page every e-mail links to: ``/u/{token}``.

A GET only shows what unsubscribing means and a button (mail scanners and link previews fetch
every link, and must not unsubscribe anyone); the button posts with the session's CSRF token.
A mail program's own "Unsubscribe" button posts ``List-Unsubscribe=One-Click`` to the same
address with no cookie (RFC 8058): the token in the address is then the only proof needed, as
it is for the button, since nobody without the e-mail can make one.

Unsubscribing is the person saying STOP on their e-mail address, handed to the runner as any
channel hands it a message, so it means exactly what STOP means everywhere: every channel of
theirs stops, at once and for good, until they opt in again. The page after it offers to undo a
press made by mistake, which is START on the e-mail address: like START anywhere, it re-enables
only the address it came from.

The page uses the web form's govuk-frontend stylesheet by its address (``/f/static/``): the web
form is always mounted, and channels do not import one another.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.formparsers import MultiPartException, MultiPartParser

from bot.channels.email.tokens import read_token
from bot.surveys.inbound import Inbound
from bot.web import csrf
from bot.web.pages import HtmlRoute, PageError, environment, page
from bot.web.sessions import SessionStore, session_secret, timeouts_of

if TYPE_CHECKING:
    from bot.config.wiring import Services

PACKAGE = "bot.channels.email"
NAME = "email"
MAX_BODY = 4096
ONE_CLICK = {"List-Unsubscribe": ["One-Click"]}
NOT_VALID = PageError(
    404, "This link is not valid", "Check you copied the whole web address from the e-mail."
)


class EmailRoute(HtmlRoute):
    package = PACKAGE


def _now() -> datetime:
    return datetime.now(UTC)


def unsubscribe_router(services: Services) -> APIRouter:
    settings = services.settings
    secure = settings.public_url.startswith("https://")
    store = SessionStore(services.engine, session_secret(settings), secure, timeouts_of(settings))
    environment(PACKAGE).globals.update(
        organisation=settings.web_organisation, contact=settings.web_contact
    )
    router = APIRouter(route_class=EmailRoute, include_in_schema=False)

    def address_of(token: str) -> str:
        address = read_token(services.vault, token)
        if address is None:
            raise NOT_VALID
        return address

    @router.get("/u/{token}")
    def confirm(request: Request, token: str) -> Response:
        address_of(token)
        session = store.load(request, _now())
        context = {"title": "Unsubscribe from surveys", "action": f"/u/{token}",
                   "csrf": session.csrf}  # fmt: skip
        response = page("unsubscribe.html.j2", context, package=PACKAGE)
        if session.new:
            store.write(response, session)
        return response

    @router.post("/u/{token}")
    async def unsubscribe(request: Request, token: str) -> Response:
        fields = await _form(request)
        one_click = fields == ONE_CLICK
        if not one_click:
            csrf.check(store.load(request, _now()), (fields.get(csrf.FIELD) or [""])[0])
        address = address_of(token)
        await run_in_threadpool(_say, services, address, token, "stop")
        session = store.load(request, _now())
        context = {"title": "You have unsubscribed", "action": f"/u/{token}/again",
                   "csrf": session.csrf, "one_click": one_click}  # fmt: skip
        return page("unsubscribed.html.j2", context, package=PACKAGE)

    @router.post("/u/{token}/again")
    async def subscribe_again(request: Request, token: str) -> Response:
        """Undo a press made by mistake: START on the e-mail address, and only there."""
        fields = await _form(request)
        csrf.check(store.load(request, _now()), (fields.get(csrf.FIELD) or [""])[0])
        address = address_of(token)
        await run_in_threadpool(_say, services, address, token, "start")
        context = {"title": "You are subscribed again"}
        return page("subscribed.html.j2", context, package=PACKAGE)

    return router


UNREADABLE = PageError(400, "Sorry, we could not read that", "Go back and try again.")
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


async def _form(request: Request) -> dict[str, list[str]]:
    """The posted fields, form-encoded or, as some mail providers post a one-click
    unsubscribe (RFC 8058 allows either), multipart; any other body is refused."""
    body = await request.body()
    if len(body) > MAX_BODY:
        raise PageError(413, "Sorry, we could not read that", "Go back and try again.")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == MULTIPART:
        return await _multipart(request, body)
    if kind not in {URLENCODED, ""}:  # no type at all: read it as a form, as before
        raise PageError(415, "Sorry, we could not read that", "Send the form as a web form.")
    try:
        fields: dict[str, Any] = parse_qs(body.decode("utf-8"), max_num_fields=8)
    except ValueError:  # not UTF-8, or too many fields
        raise UNREADABLE from None
    return fields


async def _multipart(request: Request, body: bytes) -> dict[str, list[str]]:
    async def chunks() -> AsyncGenerator[bytes, None]:
        yield body  # already read and size-checked

    parser = MultiPartParser(
        request.headers, chunks(), max_files=0, max_fields=8, max_part_size=MAX_BODY
    )
    try:
        form = await parser.parse()
    except (MultiPartException, KeyError, ValueError):  # KeyError: no boundary given
        raise UNREADABLE from None
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str):
            raise UNREADABLE  # a file: never part of these forms
        fields.setdefault(name, []).append(value)
    return fields


def _say(services: Services, address: str, token: str, word: str) -> None:
    at = _now()
    # One press, one message: a double click within the second is applied once, and a later
    # press says it again, as texting STOP twice would.
    digest = hashlib.sha256(token.encode("ascii")).hexdigest()[:20]
    external_id = f"{word}-{digest}-{int(at.timestamp())}"
    services.runner.receive(Inbound(NAME, address, external_id, at, text=word), inline=True)

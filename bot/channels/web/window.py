"""Whether a survey takes answers on the web now: its open and close dates (UK days), its
response limit, and "one response per device".

A survey that has closed says so on every page, with where its results will be published; one
not yet open says when it opens. The response limit stops new starts only, so nobody half-way
through loses their answers. "One response per device" is a cookie set when answers are sent,
explained on the start page; clearing cookies defeats it, which is why it is only offered as an
option for consultations and never used to count responses.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import Request, Response
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.web.pages import PageError
from flows.compiled import localise
from flows.definition import Flow
from storage.models import Conversation

UK = ZoneInfo("Europe/London")
DEVICE_COOKIE = "carevoice_answered_"
DEVICE_AGE = 400 * 24 * 60 * 60  # the most a browser keeps a cookie


def _results(flow: Flow, language: str) -> str:
    if flow.web.results is None:
        return "Thank you for your interest."
    return localise(flow.web.results, language, flow.language)


def check_open(flow: Flow, at: datetime, language: str | None = None) -> None:
    """Raise the closed (or not yet open) page unless ``flow`` takes answers on this UK day."""
    today, web = at.astimezone(UK).date(), flow.web
    if web.opens is not None and today < web.opens:
        when = f"{web.opens.day} {web.opens:%B %Y}"
        raise PageError(403, "This survey is not open yet", f"It opens on {when}. Come back then.")
    if web.closes is not None and today > web.closes:
        results = _results(flow, language or flow.language)
        raise PageError(410, "This survey has closed", f"It closed on {web.closes.day} "
                        f"{web.closes:%B %Y}. {results}")  # fmt: skip


def check_room(flow: Flow, engine: Engine, language: str | None = None) -> None:
    """Raise the "enough responses" page when the response limit has been reached."""
    limit = flow.web.response_limit
    if limit is None:
        return
    with Session(engine) as db:
        started = db.exec(
            select(func.count()).where(
                Conversation.flow_id == flow.id, Conversation.channel == "web"
            )
        ).one()
    if started >= limit:
        results = _results(flow, language or flow.language)
        raise PageError(410, "This survey has closed",
                        f"It has had all the responses it needs. {results}")  # fmt: skip


def check_device(flow: Flow, request: Request) -> None:
    if flow.web.one_per_device and request.cookies.get(DEVICE_COOKIE + flow.id):
        raise PageError(
            403,
            "You have already answered this survey",
            "This survey takes one response from each phone or computer, so that no one is "
            "counted twice. Thank you for taking part.",
        )


def remember_device(flow: Flow, response: Response, secure: bool) -> None:
    if flow.web.one_per_device:
        response.set_cookie(DEVICE_COOKIE + flow.id, "1", max_age=DEVICE_AGE, path="/f",
                            secure=secure, httponly=True, samesite="lax")  # fmt: skip

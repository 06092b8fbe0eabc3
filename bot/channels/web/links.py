"""How a survey is begun on the web: the public link ``/f/{flow_id}`` and the personal link
``/s/{token}``, plus the privacy notice and the stylesheets every page uses.

Nothing starts on a GET (link checkers and previews fetch pages): each link shows a start page whose
button posts. The public start page carries a fresh respondent token, so pressing the button twice
still makes one respondent. A personal link is used once; the respondent token it gives is derived
from the link and the browser's session, so a double press comes back to the same answers while
anyone else opening the same link is told it has been used.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from sqlmodel import Session

from bot.channels.web import state, window
from bot.channels.web.assets import FILES, STATIC
from bot.channels.web.forms import TOKEN, one, read_form
from bot.channels.web.respond import base
from bot.channels.web.state import CHANNEL
from bot.channels.web.views import Form, Prefs, now
from bot.surveys.inbound import Inbound, StartRequest
from bot.web import csrf
from bot.web.pages import PageError, Redirect, not_found
from flows.asking import Speaker
from flows.compiled import compiled
from flows.definition import Flow
from flows.engine import choose_language
from flows.session import Session as EngineSession
from storage import invitation_links
from storage import repository as repo
from storage.db import transaction
from storage.models import Invitation
from storage.person_waves import wave_of_invitation
from storage.waves import mark_wave

REFUSALS = {
    "unknown": (404, "This link is not valid",
                "Check you copied the whole web address from your message."),
    "expired": (410, "This link has expired",
                "The time to answer this survey has ended. Thank you for your interest."),
    "used": (410, "This link has already been used",
             "Each link can be used once, so that every answer is counted once. If you started "
             "the survey, use the address of the page you were on to carry on."),
}  # fmt: skip


def _refused(refusal: str) -> PageError:
    return PageError(*REFUSALS[refusal])


def _intro(flow: Flow, language: str | None, values: dict[str, str]) -> str:
    at = now()
    session = EngineSession(
        flow_id=flow.id, flow_version=flow.version, language=choose_language(flow, language),
        context={**flow.context, **values}, started_at=at, last_activity_at=at,
    )  # fmt: skip
    return Speaker(compiled(flow), session).text(flow.messages.intro)


def _start_page(
    form: Form, request: Request, flow: Flow, action: str, values: dict[str, str],
    hidden: dict[str, str],
) -> Response:  # fmt: skip
    language = Prefs.of(request).language
    shown = choose_language(flow, language)
    context: dict[str, Any] = {
        "title": flow.title, "intro": _intro(flow, shown, values), "action": action,
        "hidden": hidden, "one_per_device": flow.web.one_per_device,
        "closes": flow.web.closes,
    }  # fmt: skip
    return form.show(request, "start.html.j2", context, languages=flow.all_languages,
                     language=shown)  # fmt: skip


def _may_start(form: Form, request: Request, flow: Flow) -> None:
    language = Prefs.of(request).language
    window.check_open(flow, now(), language)
    window.check_room(flow, form.services.engine, language)
    window.check_device(flow, request)


def _flow(form: Form, flow_id: str) -> Flow:
    try:
        return form.services.catalog.get(flow_id).flow
    except LookupError:
        raise not_found() from None


def _begin(form: Form, token: str, external_id: str, request: StartRequest) -> None:
    inbound = Inbound(CHANNEL, token, external_id, now(), start=request)
    form.services.runner.receive(inbound, inline=True)


def add_link_routes(router: APIRouter, form: Form) -> None:
    @router.get("/f/privacy")
    def privacy(request: Request) -> Response:
        if (switched := form.switched(request)) is not None:
            return switched
        context = {"title": "Privacy notice", "notice": form.services.settings.web_privacy_notice}
        return form.show(request, "privacy.html.j2", context)

    @router.get("/f/static/{name}")
    def static(name: str) -> Response:
        if name not in FILES:
            raise not_found()
        return FileResponse(STATIC / name, media_type=FILES[name],
                            headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip

    @router.get("/f/{flow_id}")
    def public(request: Request, flow_id: str) -> Response:
        if (switched := form.switched(request)) is not None:
            return switched
        flow = _flow(form, flow_id)
        _may_start(form, request, flow)
        hidden = {"respondent": secrets.token_urlsafe(24),
                  "provider": request.query_params.get("provider", "")[:120]}  # fmt: skip
        return _start_page(form, request, flow, f"/f/{flow_id}", {}, hidden)

    @router.post("/f/{flow_id}")
    async def begin_public(request: Request, flow_id: str) -> Response:
        fields = await read_form(request)
        return await run_in_threadpool(_begin_public, form, request, flow_id, fields)

    @router.get("/s/{token}")
    def personal(request: Request, token: str) -> Response:
        if (switched := form.switched(request)) is not None:
            return switched
        with Session(form.services.engine) as db:
            found = invitation_links.find(db, token, now())
            if found.refusal is not None or found.invitation is None:
                raise _refused(found.refusal or "unknown")
            values = repo.provider_context(db, found.invitation.provider_id)
        flow = _flow(form, found.invitation.flow_id)
        window.check_open(flow, now(), Prefs.of(request).language)
        return _start_page(form, request, flow, f"/s/{token}", values, {})

    @router.post("/s/{token}")
    async def begin_personal(request: Request, token: str) -> Response:
        fields = await read_form(request)
        return await run_in_threadpool(_begin_personal, form, request, token, fields)


def _begin_public(
    form: Form, request: Request, flow_id: str, fields: dict[str, list[str]]
) -> Response:
    csrf.check(form.store.load(request, now()), one(fields, csrf.FIELD))
    flow = _flow(form, flow_id)
    token = one(fields, "respondent")
    if not TOKEN.match(token):
        raise PageError(400, "Sorry, we could not read that", "Go back and try again.")
    if not state.exists(form.services, token):
        _may_start(form, request, flow)
        form.limit(request)
        provider_id = _provider_id(form, one(fields, "provider"))
        start = StartRequest(flow.id, language=Prefs.of(request).language,
                             provider_id=provider_id)  # fmt: skip
        digest = hashlib.sha256(token.encode()).hexdigest()[:40]
        _begin(form, token, f"start:{digest}", start)
    raise Redirect(base(flow.id, token))


def _provider_id(form: Form, name: str) -> int | None:
    if not name.strip():
        return None
    with Session(form.services.engine) as db:
        provider = repo.provider_by_name(db, name)
    return provider.id if provider is not None else None


def _begin_personal(
    form: Form, request: Request, link: str, fields: dict[str, list[str]]
) -> Response:
    session = form.store.load(request, now())
    csrf.check(session, one(fields, csrf.FIELD))
    token = form.store.keyed("personal-link", f"{link}:{session.csrf}")[:32]
    begun = state.exists(form.services, token)
    if not begun:
        form.limit(request)
    at = now()
    with transaction(form.services.engine) as db:
        found = invitation_links.find(db, link, at, for_update=True)
        invitation = found.invitation
        if found.refusal == "used" and begun and invitation is not None:
            raise Redirect(base(invitation.flow_id, token))
        if found.refusal is not None or invitation is None:
            raise _refused(found.refusal or "unknown")
        window.check_open(_flow(form, invitation.flow_id), at, Prefs.of(request).language)
        invitation_links.mark_used(db, invitation, at)
        start = StartRequest(invitation.flow_id, language=Prefs.of(request).language,
                             provider_id=invitation.provider_id,
                             contact_id=invitation.contact_id)  # fmt: skip
        flow_id, invitation_id = invitation.flow_id, invitation.id
    _begin(form, token, f"personal:{invitation_id}", start)
    _link_conversation(form, invitation_id, token)
    raise Redirect(base(flow_id, token))


def _link_conversation(form: Form, invitation_id: int | None, token: str) -> None:
    """The invitation names the conversation it led to, as SMS invitations do, and a
    per-person campaign's link marks the wave the conversation answers."""
    hashes = form.services.vault.lookup_hashes(CHANNEL, token)
    with transaction(form.services.engine) as db:
        conversation = repo.latest_conversation(db, CHANNEL, hashes)
        invitation = db.get(Invitation, invitation_id)
        if conversation is not None and invitation is not None:
            invitation.conversation_id = conversation.id
            db.add(invitation)
            wave = wave_of_invitation(db, invitation_id or 0)
            if wave is not None:
                mark_wave(db, form.services.vault, conversation, wave)

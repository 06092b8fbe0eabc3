"""SMS through Twilio: the inbound webhook and delivery status callbacks.

Thin by design (DESIGN.md): verify the signature, parse Twilio's form, validate ids and clean
text (bot/web/inputs.py), hand the message to the runner, render the replies as TwiML. Twilio
itself answers STOP/START/HELP keywords, so our own opt-out and opt-in confirmations are not
sent a second time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from twilio.request_validator import RequestValidator

from bot.channels.sms import openapi
from bot.channels.sms.format import render, split_long
from bot.channels.sms.twilio import delivery_report
from bot.config.settings import Settings
from bot.surveys.inbound import Inbound
from bot.surveys.runner import Outcome, Runner
from bot.web import inputs
from bot.web.inputs import identifier
from storage import outbox as outbox_store

CHANNEL = "sms"
INBOUND_PATH = "/sms/twilio"
STATUS_PATH = "/sms/twilio/status"
# Twilio delivers at most 1,600 characters; anything much longer is not from Twilio.
MAX_BODY = 10_000
TEXT_ONLY = "Sorry, we can only read text. Please reply with words or numbers."
CARRIER_CONFIRMED = {"opted_out", "opted_in"}


TWIML_START = '<?xml version="1.0" encoding="UTF-8"?>'


def twiml(outcome: Outcome) -> str:
    """The replies as TwiML; nothing to say is an empty <Response/>.

    Written as twilio's MessagingResponse writes it (the same text, byte for byte: a test
    compares them), without building an ElementTree for every reply."""
    parts = [
        f"<Message>{escape(part)}</Message>" if part else "<Message />"
        for message in outcome.replies
        if message.role not in CARRIER_CONFIRMED
        for part in split_long(render(message))
    ]
    if not parts:
        return f"{TWIML_START}<Response />"
    return f"{TWIML_START}<Response>{''.join(parts)}</Response>"


def _xml(body: str, status: int = 200) -> Response:
    return Response(content=body, status_code=status, media_type="application/xml")


def _problem(reason: str, status: int) -> Response:
    return Response(
        content=json.dumps({"error": reason}), status_code=status, media_type="application/json"
    )


def _sender(value: str) -> str:
    # Twilio sends E.164 numbers, or e.g. "whatsapp:+44…"; nothing longer is an address.
    sender = inputs.bounded_text("From", value, 64).strip()
    if not sender:
        raise inputs.InputProblem("From is empty")
    return sender


def sms_router(settings: Settings, runner: Runner, engine: Engine) -> APIRouter:
    router = APIRouter()
    validator = RequestValidator(settings.twilio_auth_token)
    public = settings.public_url.rstrip("/")

    async def signed_form(request: Request, path: str) -> dict[str, str] | None:
        # Twilio signs the URL it was configured with, which behind a proxy is not ours.
        form = {key: str(value) for key, value in (await request.form()).items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        if not settings.twilio_auth_token or not validator.validate(public + path, form, signature):
            return None
        return form

    @router.post(
        INBOUND_PATH,
        response_class=openapi.TwiML,
        responses=openapi.INBOUND_RESPONSES,
        openapi_extra=openapi.INBOUND,
    )
    async def inbound(request: Request) -> Response:
        form = await signed_form(request, INBOUND_PATH)
        if form is None:
            return _problem("invalid Twilio signature", 403)
        missing = [name for name in ("From", "MessageSid") if not form.get(name)]
        if missing:
            return _problem(f"missing {', '.join(missing)}", 400)
        try:
            form["MessageSid"] = identifier("MessageSid", form["MessageSid"])
            form["From"] = _sender(form["From"])
            form["Body"] = inputs.bounded_text("Body", form.get("Body", ""), MAX_BODY)
        except inputs.InputProblem as problem:
            return _problem(str(problem), 400)
        # The runner is synchronous and may wait on a lock: off the event loop, so /healthz and
        # everyone else's requests go on meanwhile.
        outcome = await run_in_threadpool(runner.receive, inbound_of(form, datetime.now(UTC)))
        return _xml(twiml(outcome))

    @router.post(
        STATUS_PATH,
        status_code=204,
        response_class=Response,
        responses=openapi.STATUS_RESPONSES,
        openapi_extra=openapi.STATUS,
    )
    async def status(request: Request) -> Response:
        form = await signed_form(request, STATUS_PATH)
        if form is None:
            return _problem("invalid Twilio signature", 403)
        if not form.get("MessageSid") or not form.get("MessageStatus"):
            return _problem("missing MessageSid or MessageStatus", 400)
        try:
            sid, state = identifier("MessageSid", form["MessageSid"]), form["MessageStatus"]
            identifier("MessageStatus", state)
            code = identifier("ErrorCode", form["ErrorCode"]) if form.get("ErrorCode") else None
        except inputs.InputProblem as problem:
            return _problem(str(problem), 400)
        report = delivery_report(state, code)
        await run_in_threadpool(
            outbox_store.record_status,
            engine, sid, report.status, report.error, report.recipient_gone, datetime.now(UTC),
        )  # fmt: skip
        return Response(status_code=204)

    return router


def inbound_of(form: Mapping[str, str], at: datetime) -> Inbound:
    """Twilio's form (``From`` and ``MessageSid`` present) as the runner's ``Inbound``: the
    text, or a notice when there is none (a picture, an empty message)."""
    sender, sid = form["From"], form["MessageSid"]
    body = form.get("Body", "")
    opt_out_type = form.get("OptOutType", "").upper()
    # Twilio may be set up with extra opt-out words; whatever they are, it means STOP or START.
    if opt_out_type in {"STOP", "START"}:
        return Inbound(CHANNEL, sender, sid, at, text=opt_out_type)
    if not body.strip():
        return Inbound(CHANNEL, sender, sid, at, notice=TEXT_ONLY)
    return Inbound(CHANNEL, sender, sid, at, text=body)

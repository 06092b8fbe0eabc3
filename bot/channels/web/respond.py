"""A respondent's pages: one question at a time, check your answers, and the confirmation.

The address ``/f/{flow}/r/{token}`` always shows where the person is, read from the stored
conversation, so it is also the "save and come back later" link. Each answer goes to the runner
as a structured answer the moment it is given. The page carries the question it asked and the
conversation's revision when it was drawn: the runner's external id is made of the two, so a
double submit or a replayed page is applied once, and a page for a question that is no longer
the current one is taken as a change of that answer (or, never answered, shows where they are).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from bot.channels.web import state, window
from bot.channels.web.forms import MAX_TEXT, check_answer, one, read_form
from bot.channels.web.state import CHANNEL, Respondent
from bot.channels.web.views import Form, Prefs, now
from bot.surveys.inbound import Inbound, StructuredAnswer
from bot.web import csrf
from bot.web.pages import PageError, Redirect, not_found
from flows.session import AnswerValue

ACTIVE, COMPLETED = "active", "completed"


def base(flow_id: str, token: str) -> str:
    return f"/f/{flow_id}/r/{token}"


def _respondent(form: Form, flow_id: str, token: str) -> Respondent:
    found = state.load(form.services, flow_id, token)
    if found is None:
        raise not_found()
    window.check_open(found.flow, now(), found.session.language)
    return found


def _selected(value: AnswerValue) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def question_page(
    form: Form, request: Request, who: Respondent, question_id: str, *,
    change: bool = False, given: list[str] | None = None, error: str | None = None,
) -> Response:  # fmt: skip
    language = Prefs.of(request).language
    message = who.ask(question_id, language)
    if message is None:
        raise not_found()
    selected = given if given is not None else _selected(who.session.answers.get(question_id))
    previous = who.previous(question_id)
    here = base(who.flow.id, who.token)
    context: dict[str, Any] = {
        "title": message.text, "message": message, "question_id": question_id,
        "rev": who.revision, "mode": "change" if change else "", "selected": selected,
        "text_value": selected[0] if selected else "", "max_text": MAX_TEXT,
        "errors": {"answer": error} if error else {}, "action": here,
        "back": f"{here}/change/{previous}" if previous else None,
        "resume_url": form.services.settings.public_url.rstrip("/") + here,
    }  # fmt: skip
    status = 200 if error is None else 400
    return _show(form, request, who, "question.html.j2", context, language, status)


def _show(
    form: Form, request: Request, who: Respondent, template: str, context: dict[str, Any],
    language: str | None, status: int = 200,
) -> Response:  # fmt: skip
    shown = language if language in who.flow.all_languages else who.session.language
    return form.show(request, template, context, languages=who.flow.all_languages,
                     language=shown, status=status)  # fmt: skip


def check_page(form: Form, request: Request, who: Respondent) -> Response:
    language = Prefs.of(request).language
    speaker = who.speaker(language)
    here = base(who.flow.id, who.token)
    rows = []
    for question_id in who.answered():
        question = who.question(question_id)
        if question is None:
            continue
        answer = speaker.answer_text(question_id)
        rows.append((speaker.text(question.text), answer or "Not answered",
                     f"{here}/change/{question_id}"))  # fmt: skip
    context = {"title": "Check your answers before sending them", "rows": rows,
               "action": f"{here}/send"}  # fmt: skip
    return _show(form, request, who, "check.html.j2", context, language)


def done_page(form: Form, request: Request, who: Respondent) -> Response:
    language = Prefs.of(request).language
    speaker = who.speaker(language)
    messages = who.flow.messages
    context = {
        "title": "Your answers have been sent",
        "thanks": speaker.text(messages.thanks),
        "signpost": speaker.text(messages.safeguarding) if who.session.signposted else None,
        "contact": form.services.settings.web_contact,
    }
    return _show(form, request, who, "done.html.j2", context, language)


def ended_page(form: Form, request: Request, who: Respondent) -> Response:
    context = {"title": "This survey has closed for you",
               "message": "It was left unanswered for too long, so it has closed. Thank you for "
               "the answers you gave: they have been kept."}  # fmt: skip
    return _show(form, request, who, "message.html.j2", context, None, 410)


def add_respondent_routes(router: APIRouter, form: Form) -> None:
    @router.get("/f/{flow_id}/r/{token}")
    def where_they_are(request: Request, flow_id: str, token: str) -> Response:
        if (switched := form.switched(request)) is not None:
            return switched
        who = _respondent(form, flow_id, token)
        if who.status == ACTIVE and who.session.current is not None:
            return question_page(form, request, who, who.session.current)
        if who.status == COMPLETED:
            return check_page(form, request, who)
        return ended_page(form, request, who)

    @router.get("/f/{flow_id}/r/{token}/change/{question_id}")
    def change(request: Request, flow_id: str, token: str, question_id: str) -> Response:
        if (switched := form.switched(request)) is not None:
            return switched
        who = _respondent(form, flow_id, token)
        if who.status not in (ACTIVE, COMPLETED) or question_id not in who.session.answers:
            raise Redirect(base(flow_id, token))
        return question_page(form, request, who, question_id, change=True)

    @router.post("/f/{flow_id}/r/{token}")
    async def answer(request: Request, flow_id: str, token: str) -> Response:
        fields = await read_form(request)
        return await run_in_threadpool(_answer, form, request, flow_id, token, fields)

    @router.post("/f/{flow_id}/r/{token}/send")
    async def send(request: Request, flow_id: str, token: str) -> Response:
        fields = await read_form(request)
        csrf.check(form.store.load(request, now()), one(fields, csrf.FIELD))
        who = await run_in_threadpool(_respondent, form, flow_id, token)
        response = RedirectResponse(base(flow_id, token) + "/done", status_code=303)
        if who.status == COMPLETED:
            window.remember_device(who.flow, response, form.store.secure)
        return response

    @router.get("/f/{flow_id}/r/{token}/done")
    def done(request: Request, flow_id: str, token: str) -> Response:
        if (switched := form.switched(request)) is not None:
            return switched
        who = _respondent(form, flow_id, token)
        if who.status != COMPLETED:
            raise Redirect(base(flow_id, token))
        return done_page(form, request, who)


def _answer(
    form: Form, request: Request, flow_id: str, token: str, fields: dict[str, list[str]]
) -> Response:
    csrf.check(form.store.load(request, now()), one(fields, csrf.FIELD))
    who = _respondent(form, flow_id, token)
    question_id, rev = one(fields, "question_id"), one(fields, "rev")
    question = who.question(question_id)
    if question is None or not rev.isdigit() or int(rev) > who.revision:
        raise PageError(400, "Sorry, we could not read that", "Go back and try again.")
    form.limit(request)
    optional = bool(getattr(question, "optional", False))
    checked = check_answer(question, fields.get("answer", []), optional)
    change = one(fields, "mode") == "change"
    if checked.error is not None:
        return question_page(form, request, who, question_id, change=change,
                             given=list(checked.values), error=checked.error)  # fmt: skip
    current = who.status == ACTIVE and who.session.current == question_id
    answered = StructuredAnswer(question_id, checked.values, revise=not current)
    external_id = f"{who.conversation.id}:{rev}:{question_id}"
    inbound = Inbound(CHANNEL, token, external_id, now(), answer=answered)
    form.services.runner.receive(inbound, inline=True)
    raise Redirect(base(flow_id, token))

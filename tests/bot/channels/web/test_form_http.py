"""The web form over real HTTP, as a browser without JavaScript uses it, on SQLite and PostgreSQL:
a whole consultation through each branch, errors that cost nothing, changes, and every kind of
bad or repeated request getting a clear page, never a 500, and never an answer stored twice."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import Answer, Conversation, InboundMessage
from tests.bot.channels.web.harness import FormWorld, Visitor, forms

FLOW = "pcf_consultation"
HAS_CHAIR = [
    ("status", "has_chair"), ("chair_fit", "partly"), ("repairs", "yes"), ("repair_weeks", "6"),
    ("updates", "not_at_all"), ("fft", "poor"), ("change", "Tell us when the chair is coming"),
]  # fmt: skip
WAITING = [
    ("status", "waiting_assessment"), ("wait_time", "30"),
    ("wait_impact", ["missed_school", "pain"]), ("updates", "partly"), ("fft", "neither"),
    ("change", ""),
]  # fmt: skip


def begin(world: FormWorld, path: str = f"/f/{FLOW}") -> Visitor:
    visitor = world.visitor()
    start = visitor.get(path)
    assert start.status_code == 200
    assert visitor.title == "Wheelchair service consultation (parent carer forum)"
    page = visitor.submit()
    assert page.status_code == 200
    assert "/r/" in str(page.url)
    return visitor


def question_of(visitor: Visitor) -> str:
    assert visitor.page is not None
    return forms(visitor.page.text)[0][1]["question_id"]


def answer_all(visitor: Visitor, pairs: list[tuple[str, object]]) -> None:
    for question_id, value in pairs:
        assert question_of(visitor) == question_id
        page = visitor.submit(value)  # type: ignore[arg-type]
        assert page.status_code == 200, page.text


def test_each_branch_is_answered_page_by_page_and_stored_as_given(form_world: FormWorld) -> None:
    for pairs in (HAS_CHAIR, WAITING):
        visitor = begin(form_world)
        answer_all(visitor, pairs)  # type: ignore[arg-type]
        assert visitor.title == "Check your answers before sending them"
        assert visitor.page is not None
        assert "Tell us when the chair is coming" in visitor.page.text or pairs is WAITING
        done = visitor.submit()
        assert visitor.title == "Your answers have been sent"
        assert "share what families said" in done.text
    stored = form_world.answers()
    assert ("wait_impact", ["missed_school", "pain"]) in stored
    assert ("repair_weeks", 6) in stored
    assert ("change", None) in stored  # the blank optional answer is a skip
    assert len(stored) == len(HAS_CHAIR) + len(WAITING)


def test_a_missing_answer_shows_the_error_and_costs_no_try(form_world: FormWorld) -> None:
    visitor = begin(form_world)
    for _ in range(4):
        page = visitor.submit()
        assert page.status_code == 400
        assert "<title>Error: Where are you with" in page.text
        assert 'class="govuk-error-summary"' in page.text
        assert '<a href="#answer">Select an answer</a>' in page.text
    visitor.submit("has_chair")
    assert question_of(visitor) == "chair_fit"
    assert form_world.answers() == [("status", "has_chair")]


def test_invalid_numbers_and_tampered_options_are_errors(form_world: FormWorld) -> None:
    visitor = begin(form_world)
    assert visitor.submit("not_an_option").status_code == 400
    visitor.submit("waiting_chair")
    for given, message in [("lots", "Enter a whole number, like 12"),
                           ("500", "Enter a number between 0 and 120")]:  # fmt: skip
        page = visitor.submit(given)
        assert message in page.text
        assert f'value="{given}"' in page.text  # what they typed is kept to correct
    assert form_world.answers() == [("status", "waiting_chair")]


def test_stop_typed_in_a_text_box_is_an_answer(form_world: FormWorld) -> None:
    visitor = begin(form_world)
    answer_all(visitor, [*HAS_CHAIR[:-1], ("change", "STOP")])
    assert visitor.title == "Check your answers before sending them"
    assert ("change", "STOP") in form_world.answers()


def test_a_double_submit_and_a_replayed_page_store_the_answer_once(form_world: FormWorld) -> None:
    visitor = begin(form_world)
    assert visitor.page is not None
    action, hidden = forms(visitor.page.text)[0]
    data: dict[str, str | list[str]] = {**hidden, "answer": "has_chair"}
    first, second = visitor.post(action, data), visitor.post(action, data)
    assert first.status_code == second.status_code == 200
    visitor.submit("partly")
    replay = visitor.post(action, {**data, "answer": "waiting_chair"})  # the first page again
    assert replay.status_code == 200
    assert question_of(visitor) == "repairs"
    assert form_world.answers() == [("status", "has_chair"), ("chair_fit", "partly")]


def test_a_page_for_a_question_not_reached_changes_nothing(form_world: FormWorld) -> None:
    visitor = begin(form_world)
    assert visitor.page is not None
    action, hidden = forms(visitor.page.text)[0]
    page = visitor.post(action, {**hidden, "question_id": "fft", "answer": "good"})
    assert page.status_code == 200
    assert question_of(visitor) == "status"
    assert form_world.answers() == []


def test_the_back_link_and_change_links_replace_an_answer(form_world: FormWorld) -> None:
    visitor = begin(form_world)
    answer_all(visitor, HAS_CHAIR[:2])
    assert visitor.page is not None
    assert f'href="{visitor.page.url.path}/change/chair_fit" class="govuk-back-link"' in (
        visitor.page.text
    )
    visitor.get(f"{visitor.page.url.path}/change/chair_fit")
    assert 'value="partly" checked' in visitor.page.text
    visitor.submit("yes_fully")
    assert question_of(visitor) == "repairs"
    answer_all(visitor, HAS_CHAIR[2:])
    check = visitor.page.url.path
    visitor.get(f"{check}/change/status")
    visitor.submit("waiting_chair")  # a new branch: its questions are asked, the rest again
    answer_all(visitor, WAITING[1:])
    assert visitor.title == "Check your answers before sending them"
    live = dict(form_world.answers())
    assert live["status"] == "waiting_chair"
    assert "chair_fit" not in live
    assert ("chair_fit", "partly") in form_world.answers(superseded=True)
    assert len(form_world.answers()) == len(WAITING)


def test_missing_or_wrong_csrf_token_gets_a_clear_page(form_world: FormWorld) -> None:
    visitor = begin(form_world)
    assert visitor.page is not None
    action, hidden = forms(visitor.page.text)[0]
    for token in ("", "forged"):
        page = visitor.post(action, {**hidden, "answer": "has_chair", "csrf_token": token})
        assert page.status_code == 403
        assert visitor.title == "This form has expired"
    stranger = form_world.visitor()  # no session cookie at all: a form sent by another site
    page = stranger.post(action, {**hidden, "answer": "has_chair"})
    assert page.status_code == 403
    assert form_world.answers() == []


def test_oversized_answers_are_refused_clearly(form_world: FormWorld) -> None:
    visitor = begin(form_world)
    answer_all(visitor, HAS_CHAIR[:-1])
    page = visitor.submit("x" * 2001)
    assert page.status_code == 400
    assert "Your answer must be 2,000 characters or fewer" in page.text
    page = visitor.submit("x" * 70_000)
    assert page.status_code == 413
    assert visitor.title == "Your answer is too long"
    assert ("change", "x" * 2001) not in form_world.answers()
    visitor.get(str(page.url.path))
    assert visitor.submit("é" * 2000).status_code == 200


def test_garbage_never_gives_a_500(form_world: FormWorld) -> None:
    visitor = begin(form_world)
    assert visitor.page is not None
    path = visitor.page.url.path
    _, hidden = forms(visitor.page.text)[0]
    client = visitor.client
    cases = [
        client.post(path, content=b"\xff\xfe", headers={"content-type": "text/plain"}),
        client.post(path, data={**hidden, "rev": "x"}),
        client.post(path, data={**hidden, "rev": "99"}),
        client.post(path, data={**hidden, "question_id": "nope"}),
        client.post(f"/f/{FLOW}", data={"csrf_token": hidden["csrf_token"], "respondent": "!"}),
        client.get("/f/no_such_flow"),
        client.get(f"/f/{FLOW}/r/unknownrespondent12345"),
        client.get(f"{path}/change/nope"),
        client.get("/s/not-a-token"),
        client.get("/f/static/..%2Fassets.py"),
    ]
    assert [r.status_code for r in cases] == [400, 400, 400, 400, 400, 404, 404, 200, 404, 404]
    assert all("<h1" in r.text for r in cases)


def test_a_finished_survey_stays_finished_and_the_address_resumes(form_world: FormWorld) -> None:
    visitor = begin(form_world)
    answer_all(visitor, HAS_CHAIR[:3])
    assert visitor.page is not None
    address = str(visitor.page.url.path)
    elsewhere = form_world.visitor()  # another device, same address: carries on where they were
    page = elsewhere.get(address)
    assert page.status_code == 200
    assert question_of(elsewhere) == "repair_weeks"
    with Session(form_world.engine) as db:
        (conversation,) = db.exec(select(Conversation)).all()
        assert conversation.channel == "web"
        assert len(db.exec(select(InboundMessage)).all()) == 4
        assert all(a.channel == "web" for a in db.exec(select(Answer)))


def test_the_start_button_pressed_twice_makes_one_respondent(form_world: FormWorld) -> None:
    visitor = form_world.visitor()
    visitor.get(f"/f/{FLOW}")
    assert visitor.page is not None
    action, hidden = forms(visitor.page.text)[0]
    first, second = visitor.post(action, hidden), visitor.post(action, hidden)
    assert first.url == second.url
    with Session(form_world.engine) as db:
        assert len(db.exec(select(Conversation)).all()) == 1

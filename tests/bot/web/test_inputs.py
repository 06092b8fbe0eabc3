"""Cleaning text and validating identifiers, and the dashboard's forms using them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, select

from bot.web.inputs import InputProblem, bounded_text, clean_text, identifier
from storage.models import SafeguardingFlag
from tests.bot.dashboard.conftest import PASSWORD, World, csrf_of, sign_in


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x00b", "ab"),
        ("line one\r\nline two\rthree", "line one\nline two\nthree"),
        ("tab\tkept\nnewline kept", "tab\tkept\nnewline kept"),
        ("bell\x07 esc\x1b del\x7f c1\x85", "bell esc del c1"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("Siân 😊 “quotes”", "Siân 😊 “quotes”"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@given(st.text())
def test_cleaned_text_can_always_be_stored_as_utf8_without_nul(raw: str) -> None:
    cleaned = clean_text(raw)
    assert "\x00" not in cleaned
    cleaned.encode("utf-8")  # raises on a lone surrogate
    assert clean_text(cleaned) == cleaned


def test_bounded_text_names_the_field() -> None:
    assert bounded_text("Note", "ok\x00", 2) == "ok"
    with pytest.raises(InputProblem, match="Note is longer than 2 characters"):
        bounded_text("Note", "abc", 2)


@pytest.mark.parametrize("good", ["SM" + "a" * 32, "1", "x" * 64, "msg_1-2"])
def test_identifiers_accepted(good: str) -> None:
    assert identifier("MessageSid", good) == good


@pytest.mark.parametrize("bad", ["", "x" * 65, "SM\x00", "SM 1", "SM/1", "é", "SM1\n"])
def test_identifiers_refused(bad: str) -> None:
    with pytest.raises(InputProblem, match="MessageSid must be"):
        identifier("MessageSid", bad)


def test_nul_in_a_triage_note_is_removed(world: World) -> None:
    client = world.client("commissioner@council.example")
    with Session(world.engine) as db:
        flag_id = db.exec(select(SafeguardingFlag.id)).first()
    token = csrf_of(client.get(f"/flags/{flag_id}"))
    form = {"csrf_token": token, "assigned_to": "Jo\x00 Bloggs", "status": "triaged"}
    form["note"] = "a\x00b"
    response = client.post(f"/flags/{flag_id}", data=form, follow_redirects=False)
    assert response.status_code == 303
    with Session(world.engine) as db:
        flag = db.get(SafeguardingFlag, flag_id)
    assert flag is not None
    assert flag.assigned_to == "Jo Bloggs"
    assert flag.history[-1]["note"] == "ab"


def test_an_overlong_triage_note_is_a_400_page(world: World) -> None:
    client = world.client("commissioner@council.example")
    with Session(world.engine) as db:
        flag_id = db.exec(select(SafeguardingFlag.id)).first()
    token = csrf_of(client.get(f"/flags/{flag_id}"))
    form = {"csrf_token": token, "assigned_to": "", "status": "", "note": "n" * 5001}
    response = client.post(f"/flags/{flag_id}", data=form)
    assert response.status_code == 400
    assert "Note is longer than 5000 characters" in response.text


def test_nul_in_the_sign_in_email_or_flag_filter_is_not_a_500(world: World) -> None:
    client = world.client()
    assert sign_in(client, "commissioner@council.example\x00", PASSWORD).status_code == 303
    assert client.get("/flags", params={"status": "open\x00"}).status_code == 200

"""Safeguarding triage over HTTP: who may see flags, the flagged words, and every change kept in
the flag's history and in the audit log."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import AuditLog, SafeguardingFlag
from tests.bot.dashboard.conftest import World, csrf_of
from tests.reports.data import SECRET_CONVERSATION_TEXT

COMMISSIONER = "commissioner@council.example"


def the_flag(world: World) -> SafeguardingFlag:
    with Session(world.engine) as db:
        return db.exec(select(SafeguardingFlag)).one()


def audits(world: World) -> list[AuditLog]:
    with Session(world.engine) as db:
        query = select(AuditLog).where(AuditLog.action == "safeguarding.triage")
        return list(db.exec(query.order_by(col(AuditLog.id))))


def test_only_commissioners_and_admins_see_flags(world: World) -> None:
    flag_id = the_flag(world).id
    for email in ("sunrise@provider.example", "organiser@forum.example"):
        client = world.client(email)
        assert client.get("/flags").status_code == 404
        assert client.get(f"/flags/{flag_id}").status_code == 404
        token = csrf_of(client.get("/reports"))
        form = {"csrf_token": token, "status": "closed", "note": "x", "assigned_to": "Me"}
        assert client.post(f"/flags/{flag_id}", data=form).status_code == 404
    assert the_flag(world).status == "open"
    for email in (COMMISSIONER, "admin@council.example"):
        assert world.client(email).get("/flags").status_code == 200


def test_flag_list_and_detail(world: World) -> None:
    client = world.client(COMMISSIONER)
    flag = the_flag(world)
    listing = client.get("/flags").text
    assert f'href="/flags/{flag.id}"' in listing
    assert "Sunrise Care" in listing
    assert "abuse" in listing
    assert SECRET_CONVERSATION_TEXT not in listing  # words only on the flag's own page
    detail = client.get(f"/flags/{flag.id}").text
    assert SECRET_CONVERSATION_TEXT in detail
    assert "call 999" in detail
    assert client.get("/flags?status=closed").text.count('href="/flags/') == 0
    assert client.get("/flags/999999").status_code == 404


def test_triage_open_to_triaged_to_closed(world: World) -> None:
    client = world.client(COMMISSIONER)
    flag_id = the_flag(world).id
    token = csrf_of(client.get(f"/flags/{flag_id}"))
    form = {"csrf_token": token, "assigned_to": "Jo  Bloggs", "status": "triaged", "note": ""}
    response = client.post(f"/flags/{flag_id}", data=form, follow_redirects=False)
    assert response.status_code == 303
    flag = the_flag(world)
    assert (flag.status, flag.assigned_to) == ("triaged", "Jo Bloggs")
    assert len(flag.history) == 1
    entry = flag.history[0]
    assert entry["by"] == COMMISSIONER
    assert entry["action"] == "assigned to Jo Bloggs; status open → triaged"
    assert entry["at"].startswith("20")

    closing = {"csrf_token": token, "assigned_to": "Jo Bloggs", "status": "closed"}
    refused = client.post(f"/flags/{flag_id}", data=closing)
    assert refused.status_code == 400
    assert "Enter what was done before closing the flag" in refused.text
    assert the_flag(world).status == "triaged"

    note = "Rang the person; referred to the council safeguarding team (ref 123)."
    client.post(f"/flags/{flag_id}", data={**closing, "note": note})
    flag = the_flag(world)
    assert flag.status == "closed"
    assert [h["action"] for h in flag.history] == [
        "assigned to Jo Bloggs; status open → triaged",
        "status triaged → closed",
    ]
    assert flag.history[1]["note"] == note
    page = client.get(f"/flags/{flag_id}").text
    assert note in page

    logged = audits(world)
    assert len(logged) == 2
    assert all(a.actor == COMMISSIONER and a.subject == f"flag:{flag_id}" for a in logged)
    assert logged[1].detail is not None
    assert logged[1].detail["after"] == {"status": "closed", "assigned_to": "Jo Bloggs"}
    assert note not in str(logged[1].detail)  # the note stays with the flag


def test_bad_moves_are_refused(world: World) -> None:
    client = world.client(COMMISSIONER)
    flag_id = the_flag(world).id
    token = csrf_of(client.get(f"/flags/{flag_id}"))
    no_name = client.post(f"/flags/{flag_id}", data={"csrf_token": token, "status": "triaged"})
    assert no_name.status_code == 400
    assert "Enter the name of the person dealing with this concern" in no_name.text
    skip = {"csrf_token": token, "status": "closed", "assigned_to": "A", "note": "done"}
    jumped = client.post(f"/flags/{flag_id}", data=skip)
    assert jumped.status_code == 400
    assert "cannot become closed" in jumped.text
    nothing = client.post(f"/flags/{flag_id}", data={"csrf_token": token, "status": "open"})
    assert nothing.status_code == 400
    assert the_flag(world).history == []
    assert audits(world) == []


def test_a_note_alone_is_recorded(world: World) -> None:
    client = world.client(COMMISSIONER)
    flag_id = the_flag(world).id
    token = csrf_of(client.get(f"/flags/{flag_id}"))
    form = {"csrf_token": token, "status": "open", "note": "Left a voicemail."}
    assert client.post(f"/flags/{flag_id}", data=form, follow_redirects=False).status_code == 303
    assert the_flag(world).history[0]["action"] == "note"


def test_triage_without_csrf_is_403_and_changes_nothing(world: World) -> None:
    client = world.client(COMMISSIONER)
    flag_id = the_flag(world).id
    form = {"assigned_to": "Mallory", "status": "triaged", "note": "x"}
    assert client.post(f"/flags/{flag_id}", data=form).status_code == 403
    assert client.post(f"/flags/{flag_id}", data={**form, "csrf_token": "no"}).status_code == 403
    assert the_flag(world).status == "open"
    assert audits(world) == []


def test_detail_shows_the_band_and_the_layer_that_raised_it(world: World) -> None:
    client = world.client(COMMISSIONER)
    flag = the_flag(world)
    assert "Detector" not in client.get(f"/flags/{flag.id}").text  # flags from before 0004
    with Session(world.engine) as db:
        row = db.get(SafeguardingFlag, flag.id)
        assert row is not None
        row.layer, row.model_score, row.band = "model", 0.4321, "possible"
        db.add(row)
        db.commit()
    detail = client.get(f"/flags/{flag.id}").text
    assert "Possible concern, raised by the contextual model" in detail
    assert "model score 0.43" in detail

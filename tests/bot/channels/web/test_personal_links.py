"""Personal links ``/s/{token}`` over HTTP on SQLite and PostgreSQL: the answer counts for the
invited person's provider, the link works once, a double press comes back to the same answers,
and an expired, used or unknown link gets a clear page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from storage import invitation_links as links
from storage.models import Answer, Contact, Conversation, Invitation, Provider
from tests.bot.channels.web.harness import FormWorld, forms


def invite(engine: Engine, expires_in: timedelta = timedelta(days=14)) -> tuple[str, int]:
    at = datetime.now(UTC)
    with Session(engine) as db:
        provider = Provider(name="Rolling Wheels Ltd", created_at=at)
        db.add(provider)
        db.flush()
        contact = Contact(provider_id=provider.id or 0, created_at=at)
        db.add(contact)
        db.flush()
        row = Invitation(
            contact_id=contact.id or 0, provider_id=provider.id or 0, flow_id="pcf_consultation",
            channel="web", month=at.strftime("%Y-%m"), created_at=at,
        )  # fmt: skip
        db.add(row)
        token = links.attach_token(db, row, at + expires_in)
        db.commit()
        return token, provider.id or 0


def test_a_personal_link_starts_the_survey_for_that_provider(form_world: FormWorld) -> None:
    token, provider_id = invite(form_world.engine)
    visitor = form_world.visitor()
    visitor.get(f"/s/{token}")
    assert visitor.page is not None
    assert "reviewing Rolling Wheels Ltd" in visitor.page.text  # {provider} filled
    visitor.submit()
    assert "Where are you with Rolling Wheels Ltd?" in visitor.page.text
    visitor.submit("has_chair")
    with Session(form_world.engine) as db:
        (answer,) = db.exec(select(Answer)).all()
        assert answer.provider_id == provider_id
        (conversation,) = db.exec(select(Conversation)).all()
        (invitation,) = db.exec(select(Invitation)).all()
        assert invitation.used_at is not None
        assert invitation.conversation_id == conversation.id
        assert conversation.contact_id == invitation.contact_id


def test_a_link_used_twice_is_refused_but_a_double_press_resumes(form_world: FormWorld) -> None:
    token, _ = invite(form_world.engine)
    visitor = form_world.visitor()
    visitor.get(f"/s/{token}")
    assert visitor.page is not None
    action, hidden = forms(visitor.page.text)[0]
    first, again = visitor.post(action, hidden), visitor.post(action, hidden)
    assert first.status_code == again.status_code == 200
    assert first.url == again.url
    someone_else = form_world.visitor()
    page = someone_else.get(f"/s/{token}")
    assert page.status_code == 410
    assert someone_else.title == "This link has already been used"
    with Session(form_world.engine) as db:
        assert len(db.exec(select(Conversation)).all()) == 1


def test_expired_and_unknown_links_get_clear_pages(form_world: FormWorld) -> None:
    token, _ = invite(form_world.engine, expires_in=timedelta(seconds=-1))
    visitor = form_world.visitor()
    assert visitor.get(f"/s/{token}").status_code == 410
    assert visitor.title == "This link has expired"
    assert visitor.get("/s/" + "A" * 22).status_code == 404
    assert visitor.title == "This link is not valid"
    with Session(form_world.engine) as db:
        assert db.exec(select(Conversation)).all() == []

"""Personal links ``/s/{token}`` over HTTP on SQLite and PostgreSQL: the answer counts for the
invited person's provider, the link works once, a double press comes back to the same answers,
and an expired, used or unknown link gets a clear page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config.settings import vault_for
from storage import invitation_links as links
from storage.models import (
    Answer,
    Campaign,
    CampaignRun,
    Contact,
    Conversation,
    Invitation,
    Provider,
)
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
        assert (conversation.wave, conversation.person_key) == (None, None)  # no campaign's wave


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


def test_a_per_person_campaigns_link_marks_the_wave_when_it_is_opened(
    form_world: FormWorld,
) -> None:
    token, provider_id = invite(form_world.engine)
    at = datetime.now(UTC)
    with Session(form_world.engine) as db:
        (invitation,) = db.exec(select(Invitation)).all()
        contact_id = invitation.contact_id
        campaign = Campaign(
            name="Outcomes", flow_id="pcf_consultation", schedule="per person", created_at=at,
            waves=[{"name": "baseline", "months": 0}, {"name": "3 months", "months": 3}],
            window_days=14,
        )  # fmt: skip
        db.add(campaign)
        db.flush()
        db.add(
            CampaignRun(
                campaign_id=campaign.id or 0, contact_id=contact_id,
                provider_id=provider_id, period="3 months", route="web_sms", status="invited",
                invitation_id=invitation.id, planned_at=at, invited_at=at,
            )
        )  # fmt: skip
        db.commit()
    visitor = form_world.visitor()
    visitor.get(f"/s/{token}")
    visitor.submit()
    with Session(form_world.engine) as db:
        (conversation,) = db.exec(select(Conversation)).all()
        assert conversation.wave == "3 months"
        assert conversation.person_key is not None
        vault = vault_for(form_world.settings)
        assert conversation.person_key == vault.person_keys(contact_id)[0]

"""Personal links on SQLite and PostgreSQL: only the hash is stored; expired and used links are
refused with the reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text
from sqlmodel import Session

from storage import invitation_links as links
from storage.models import Contact, Invitation, Provider

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def invitation(db: Session) -> Invitation:
    provider = Provider(name="Sunrise Care", created_at=T0)
    db.add(provider)
    db.flush()
    contact = Contact(provider_id=provider.id or 0, created_at=T0)
    db.add(contact)
    db.flush()
    found = Invitation(
        contact_id=contact.id or 0, provider_id=provider.id or 0, flow_id="fft", channel="web",
        month="2026-12", created_at=T0,
    )  # fmt: skip
    db.add(found)
    db.flush()
    return found


def test_a_link_is_found_by_its_token_and_only_the_hash_is_kept(db_engine: Engine) -> None:
    with Session(db_engine) as db:
        token = links.attach_token(db, invitation(db), T0 + timedelta(days=7))
        db.commit()
        assert len(token) >= 22
        stored = db.execute(text("SELECT token_hash FROM invitation")).scalar_one()
        assert stored == links.token_hash(token)
        assert token not in stored
        found = links.find(db, token, T0 + timedelta(days=1))
        assert found.refusal is None
        assert found.invitation is not None
        assert found.invitation.flow_id == "fft"


def test_expired_used_and_unknown_links_are_refused(db_engine: Engine) -> None:
    with Session(db_engine) as db:
        row = invitation(db)
        token = links.attach_token(db, row, T0 + timedelta(days=7))
        assert links.find(db, token, T0 + timedelta(days=7)).refusal == "expired"
        assert links.find(db, token[:-1], T0).refusal == "unknown"
        assert links.find(db, "x" * 500, T0).refusal == "unknown"
        links.mark_used(db, row, T0)
        db.commit()
        assert links.find(db, token, T0, for_update=True).refusal == "used"


def test_tokens_differ() -> None:
    assert len({links.new_token() for _ in range(1000)}) == 1000

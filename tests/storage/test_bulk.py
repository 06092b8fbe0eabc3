"""Bulk inserts and updates on SQLite and PostgreSQL (unnest arrays there): ids come back in the
order of the rows, duplicates of a unique key are skipped, and each column's own type is applied
(JSON as text, aware UTC datetimes, NULLs, bytes) exactly as an ordinary insert would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import Engine, Table
from sqlmodel import Session, col, select

from storage.bulk import insert_rows, update_rows
from storage.models import Address, Campaign, CampaignRun, Contact, Provider

AT = datetime(2026, 12, 1, 10, tzinfo=UTC)
ADDRESS = cast(Table, Address.__table__)  # type: ignore[attr-defined]
CAMPAIGN = cast(Table, Campaign.__table__)  # type: ignore[attr-defined]
RUN = cast(Table, CampaignRun.__table__)  # type: ignore[attr-defined]


def test_rows_in_ids_out_in_order_with_their_types(db_engine: Engine) -> None:
    with Session(db_engine) as db:
        provider = Provider(name="Sunrise Care", created_at=AT)
        db.add(provider)
        db.flush()
        provider_id = provider.id
        contact = Contact(provider_id=provider.id or 0, created_at=AT)
        db.add(contact)
        db.flush()
        rows = [
            {"contact_id": contact.id if n % 2 else None, "channel": "sms",
             "address_hash": f"{n:064d}", "encrypted": bytes([n, 0, 255]),
             "created_at": AT + timedelta(minutes=n)}
            for n in range(7)
        ]  # fmt: skip
        ids = insert_rows(db.connection(), ADDRESS, rows, returning_ids=True)
        assert insert_rows(db.connection(), ADDRESS, []) == []
        campaigns = insert_rows(db.connection(), CAMPAIGN, [
            {"name": "M", "flow_id": "fft", "schedule": "daily, 10:00", "status": "active",
             "created_at": AT, "provider_ids": [provider.id], "throttles": None},
        ], returning_ids=True)  # fmt: skip
        db.commit()
    with Session(db_engine) as db:
        for row_id, row in zip(ids, rows, strict=True):
            found = db.get(Address, row_id)
            assert found is not None
            assert (found.address_hash, found.encrypted, found.contact_id) == (
                row["address_hash"], row["encrypted"], row["contact_id"],
            )  # fmt: skip
            assert found.created_at == row["created_at"]
            assert found.created_at.tzinfo is not None
        campaign = db.get(Campaign, campaigns[0])
        assert campaign is not None
        assert campaign.provider_ids == [provider_id]
        assert campaign.throttles is None


def test_duplicates_of_a_unique_key_are_skipped_and_updates_go_by_id(db_engine: Engine) -> None:
    with Session(db_engine) as db:
        provider = Provider(name="Sunrise Care", created_at=AT)
        db.add(provider)
        db.flush()
        contacts = [Contact(provider_id=provider.id or 0, created_at=AT) for _ in range(3)]
        db.add_all(contacts)
        db.flush()
        campaign = Campaign(name="M", flow_id="fft", schedule="daily, 10:00", created_at=AT)
        db.add(campaign)
        db.flush()
        runs = [
            {"campaign_id": campaign.id, "contact_id": c.id, "provider_id": provider.id,
             "period": "2026-12-01T10:00", "route": "sms", "status": "planned",
             "reason": None, "planned_at": AT}
            for c in contacts
        ]  # fmt: skip
        key = ("campaign_id", "contact_id", "period")
        insert_rows(db.connection(), RUN, runs[:2], skip_conflicts_on=key)
        insert_rows(db.connection(), RUN, runs, skip_conflicts_on=key)  # two already there
        held = list(db.exec(select(CampaignRun).order_by(col(CampaignRun.id))))
        assert len(held) == 3
        update_rows(db.connection(), RUN, [
            {"id": held[0].id, "status": "invited", "invited_at": AT, "route": "web_sms"},
            {"id": held[2].id, "status": "invited", "invited_at": AT + timedelta(1),
             "route": "sms"},
        ])  # fmt: skip
        db.commit()
    with Session(db_engine) as db:
        found = list(db.exec(select(CampaignRun).order_by(col(CampaignRun.id))))
        assert [(r.status, r.route, r.invited_at) for r in found] == [
            ("invited", "web_sms", AT), ("planned", "sms", None),
            ("invited", "sms", AT + timedelta(1)),
        ]  # fmt: skip

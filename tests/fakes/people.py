"""Many providers and service users at once, written in bulk: for the two-worker test and the
campaign benchmark, where importing a CSV per provider would take longer than what is measured."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from storage.crypto import Vault
from storage.models import Address, Campaign, Contact, Provider

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def phone(n: int) -> str:
    return f"+447700{n:06d}"


def add_people(engine: Engine, vault: Vault, providers: int, people: int) -> list[str]:
    """``people`` contacts spread over ``providers`` providers, each with an SMS number."""
    with engine.begin() as db:
        db.execute(
            insert(Provider),
            [{"name": f"Provider {p:02d}", "category": "general_home_care", "created_at": T0}
             for p in range(providers)],
        )  # fmt: skip
        provider_ids = list(db.execute(select(Provider.id).order_by(Provider.id)).scalars())  # type: ignore[arg-type]
        db.execute(
            insert(Contact),
            [{"provider_id": provider_ids[n % providers], "language": "en", "easy_read": False,
              "large_print": False, "created_at": T0} for n in range(people)],
        )  # fmt: skip
        contact_ids = list(db.execute(select(Contact.id).order_by(Contact.id)).scalars())  # type: ignore[arg-type]
        numbers = [phone(n) for n in range(people)]
        db.execute(
            insert(Address),
            [{"contact_id": c, "channel": "sms", "address_hash": vault.lookup_hash("sms", number),
              "encrypted": vault.encrypt(number), "created_at": T0}
             for c, number in zip(contact_ids, numbers, strict=True)],
        )  # fmt: skip
    return numbers


def add_campaign(
    engine: Engine, name: str, schedule: str = "monthly, first Tuesday, 10:00"
) -> None:
    with engine.begin() as db:
        db.execute(
            insert(Campaign).values(
                name=name, flow_id="homecare_monthly", provider_ids=None, schedule=schedule,
                expire_after_days=7, starts_at=T0, status="active", created_at=T0,
            )
        )  # fmt: skip

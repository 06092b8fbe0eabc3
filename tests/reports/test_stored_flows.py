"""A survey whose file is gone is still reported: indicators come from the stored flow text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from flows.loader import load_text
from reports.build import provider_report
from storage import repository as repo
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.models import Contact, Provider

SOURCE = (
    __import__("pathlib").Path(__file__).resolve().parents[2] / "examples" / "meals_survey.yaml"
).read_text(encoding="utf-8")
T0 = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)


def test_indicator_of_a_flow_known_only_from_the_database(db_engine: Engine) -> None:
    catalog = FlowCatalog.load()
    catalog.add(load_text(SOURCE, "meals_survey.yaml"), SOURCE)  # the operator's own file
    vault = Vault.from_setting(generate_key())
    runner = Runner(db_engine, vault, catalog)
    with transaction(db_engine) as db:
        provider = Provider(name="Hot Meals Ltd", created_at=T0)
        db.add(provider)
        db.flush()
        provider_id = provider.id
        assert provider_id is not None
    for person in range(6):
        phone = f"+4477009003{person:02d}"
        with transaction(db_engine) as db:
            contact = Contact(provider_id=provider_id, created_at=T0)
            db.add(contact)
            db.flush()
            repo.ensure_address(db, vault, "sms", phone, T0, contact.id)
            contact_id = contact.id
        at = T0 + timedelta(hours=person)
        runner.start_for(
            "sms", phone, "meals_survey", at, contact_id=contact_id, provider_id=provider_id
        )
        for step, text in enumerate(["yes" if person < 4 else "no", "1", "skip"]):
            runner.handle("sms", phone, text, f"{person}-{step}", at + timedelta(minutes=step + 1))
    # The service restarted without the operator's flows folder: only the database knows the flow.
    report = provider_report(db_engine, "Hot Meals Ltd", "2026-10")
    hot_food = next(i for i in report.indicators if i.indicator == "hot_food")
    assert hot_food.n == 6
    assert hot_food.positive == 4
    assert [c.label for c in hot_food.counts] == ["Yes", "No"]

"""Outcomes from a real database: who is paired, which follow-up counts, what is left out."""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert
from sqlmodel import Session, col, select

from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from reports.build import ReportError
from reports.config import ReportConfig
from reports.model import DomainOutcome, OutcomesSection
from reports.outcome_report import outcomes_report
from storage.contact_import import import_contacts
from storage.contact_rows import ContactCsv
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.erasure import erase_person
from storage.models import Answer, Campaign, CampaignRun, Contact, Conversation, Provider
from storage.people import find_person, identifiers
from storage.waves import mark_wave

NOW = datetime(2027, 4, 2, 9, 0, tzinfo=UTC)
DAY = "day_service_outcomes"
FAMILY = "early_help_outcomes"


class Writer:
    def __init__(self, session: Session) -> None:
        self.session = session

    def provider(self, name: str) -> int:
        row = Provider(name=name, category="day_service", created_at=NOW)
        self.session.add(row)
        self.session.flush()
        assert row.id is not None
        return row.id

    def wave(
        self,
        provider_id: int,
        person: str | None,
        wave: str,
        month: str,
        answers: dict[str, Any],
        flow: tuple[str, int] = (DAY, 2),
        superseded: bool = False,
    ) -> None:
        at = datetime.fromisoformat(f"{month}-15T12:00:00+00:00")
        talk = Conversation(
            channel="sms",
            address_hash="0" * 64,
            provider_id=provider_id,
            flow_id=flow[0],
            flow_version=flow[1],
            session={},
            status="completed",
            started_at=at,
            last_activity_at=at,
            expires_at=at + timedelta(days=14),
            wave=wave,
            person_key=None if person is None else person.ljust(64, "0"),
        )
        self.session.add(talk)
        self.session.flush()
        rows = [
            {
                "conversation_id": talk.id,
                "provider_id": provider_id,
                "flow_id": flow[0],
                "flow_version": flow[1],
                "question_id": question,
                "question_type": "rating" if isinstance(value, int) else "single_choice",
                "status": "answered",
                "value": value,
                "channel": "sms",
                "answered_at": at,
                "reporting_month": month,
                "superseded": superseded,
            }
            for question, value in answers.items()
        ]
        self.session.execute(insert(Answer), rows)


# Confidence (baseline, follow-up) for six people: worked by hand in tests/reports/test_outcomes.py
# (mean change 5/6, SD √(41/30)).
CONFIDENCE = [(2, 3), (3, 5), (1, 1), (4, 3), (2, 4), (3, 4)]
ROUTINE_SCORES = {"rarely": 1, "some_days": 2, "most_days": 3, "every_day": 4}
ROUTINE_VALUES = {score: value for value, score in ROUTINE_SCORES.items()}


def load(engine: Engine) -> None:
    with transaction(engine) as session:
        w = Writer(session)
        bridge = w.provider("Bridge Day Centre")
        other = w.provider("Other Centre")
        for n, (before, after) in enumerate(CONFIDENCE):
            w.wave(bridge, f"p{n}", "baseline", "2026-05", {"confidence": before})
            w.wave(bridge, f"p{n}", "6 months", "2026-11", {"confidence": after})
        # p0 also answered at 3 months: the latest follow-up (above) is the one compared.
        w.wave(bridge, "p0", "3 months", "2026-08", {"confidence": 5})
        # Social contact: only three people answered it both times, so it is suppressed.
        for n in range(3):
            w.wave(bridge, f"s{n}", "baseline", "2026-06", {"social_contact": 2})
            w.wave(bridge, f"s{n}", "6 months", "2026-12", {"social_contact": 4})
        w.wave(bridge, "lost", "baseline", "2027-03", {"confidence": 5})  # no follow-up yet
        w.wave(bridge, "early", "baseline", "2026-02", {"confidence": 1})  # before the period
        w.wave(bridge, "early", "6 months", "2026-08", {"confidence": 5})
        w.wave(bridge, None, "baseline", "2026-05", {"confidence": 1})  # erased: cannot pair
        w.wave(bridge, None, "6 months", "2026-11", {"confidence": 5})
        w.wave(bridge, "restarted", "baseline", "2026-05", {"confidence": 1}, superseded=True)
        w.wave(bridge, "restarted", "6 months", "2026-11", {"confidence": 5})
        w.wave(other, "p0", "baseline", "2026-05", {"confidence": 1})  # another provider's
        # Routines: two choice items, averaged; a family missing one item has no score.
        for n, (meals, beds, later) in enumerate([(1, 2, 4), (2, 2, 3), (1, 1, 1), (3, 2, 4)]):
            before = {"meal_times": ROUTINE_VALUES[meals], "bed_times": ROUTINE_VALUES[beds]}
            after = {"meal_times": ROUTINE_VALUES[later], "bed_times": ROUTINE_VALUES[later]}
            w.wave(bridge, f"f{n}", "baseline", "2026-04", before, flow=(FAMILY, 1))
            w.wave(bridge, f"f{n}", "3 months", "2026-07", after, flow=(FAMILY, 1))
        w.wave(bridge, "f4", "baseline", "2026-04", {"meal_times": "rarely"}, flow=(FAMILY, 1))
        both_rarely = {"meal_times": "rarely", "bed_times": "rarely"}
        w.wave(bridge, "f5", "baseline", "2026-04", both_rarely, flow=(FAMILY, 1))
        w.wave(bridge, "f5", "3 months", "2026-07", both_rarely, flow=(FAMILY, 1))


@pytest.fixture
def section(db_engine: Engine) -> OutcomesSection:
    load(db_engine)
    return outcomes_report(db_engine, "bridge day centre", "2026-04", "2027-03", now=NOW)


def domain(section: OutcomesSection, flow_id: str, name: str) -> DomainOutcome:
    return next(d for d in section.domains if (d.flow_id, d.domain) == (flow_id, name))


def test_confidence_pairs_the_people_who_answered_both_times(section: OutcomesSection) -> None:
    result = domain(section, DAY, "confidence")
    # Six pairs plus "lost"; not "early" (baseline before the period), not the erased person,
    # not "restarted" (their baseline was voided), not the other provider's p0. "lost" was never
    # asked a later wave: not yet due, not lost.
    counts = (result.people_with_baseline, result.people_paired, result.lost_to_follow_up)
    assert (*counts, result.not_yet_due) == (7, 6, 0, 1)
    assert result.label == "Confidence"
    assert result.mean_change == pytest.approx(5 / 6)
    assert result.sd_change == pytest.approx(math.sqrt(41 / 30))
    assert result.ci_low == pytest.approx(-0.3935, abs=1e-4)
    assert result.follow_up_percent == pytest.approx(100.0)  # of the six asked again
    assert result.baseline_mean_lost is None  # nobody lost
    assert result.reliability_assumed is True


def test_only_those_asked_a_later_wave_and_silent_are_lost(db_engine: Engine) -> None:
    with transaction(db_engine) as session:
        w = Writer(session)
        harbour = w.provider("Harbour Centre")
        for n, (before, after) in enumerate([(2, 3), (3, 5), (1, 2)]):
            w.wave(harbour, f"h{n}", "baseline", "2026-05", {"confidence": before})
            w.wave(harbour, f"h{n}", "3 months", "2026-08", {"confidence": after})
        for n, before in ((3, 4), (4, 5), (5, 1), (6, 2)):
            w.wave(harbour, f"h{n}", "baseline", "2026-05", {"confidence": before})
        at = datetime(2026, 8, 15, tzinfo=UTC)
        session.add(  # h3 was texted the 3 months wave and let it expire unanswered
            Conversation(
                channel="sms", address_hash="0" * 64, provider_id=harbour, flow_id=DAY,
                flow_version=2, session={}, status="expired", started_at=at,
                last_activity_at=at, expires_at=at, wave="3 months",
                person_key="h3".ljust(64, "0"),
            )
        )  # fmt: skip
        campaign = Campaign(name="Outcomes", flow_id=DAY, schedule="per person",
                            waves=[{"name": "baseline", "months": 0},
                                   {"name": "3 months", "months": 3}], created_at=NOW)  # fmt: skip
        session.add(campaign)
        session.flush()
        for n, status in ((4, "invited"), (6, "planned")):  # h4: a link never opened
            contact = Contact(provider_id=harbour, created_at=NOW)
            session.add(contact)
            session.flush()
            session.add(
                CampaignRun(
                    campaign_id=campaign.id or 0, contact_id=contact.id or 0,
                    provider_id=harbour, period="3 months", route="web_sms", status=status,
                    planned_at=at, invited_at=at if status == "invited" else None,
                    person_key=f"h{n}".ljust(64, "0"),
                )
            )  # fmt: skip
    config = ReportConfig(suppression_threshold=2)
    section = outcomes_report(db_engine, "Harbour Centre", "2026-04", "2027-03", config, now=NOW)
    result = domain(section, DAY, "confidence")
    counts = (result.people_with_baseline, result.people_paired, result.lost_to_follow_up)
    assert (*counts, result.not_yet_due) == (7, 3, 2, 2)  # h5 and h6 are not yet due
    assert result.follow_up_percent == pytest.approx(60.0)  # 3 of the 5 asked
    assert result.baseline_mean_lost == pytest.approx(4.5)  # h3 and h4, not h5 and h6
    assert result.mean_change == pytest.approx(4 / 3)
    kinds = {c.kind for c in result.cautions}
    assert "low_follow_up" not in kinds  # 60 % of those asked is the configured share
    assert "different_start" in kinds


def test_a_domain_few_people_answered_both_times_is_suppressed(section: OutcomesSection) -> None:
    result = domain(section, DAY, "social_contact")
    assert result.suppressed
    assert result.people_paired is None
    assert result.mean_change is None


def test_choice_items_are_scored_and_averaged(section: OutcomesSection) -> None:
    result = domain(section, FAMILY, "routines")
    # Baselines (1+2)/2, (2+2)/2, (1+1)/2, (3+2)/2 = 1.5, 2, 1, 2.5, and f5's 1 → 1, 1;
    # f4 answered one item of two: no score. Follow-ups 4, 3, 1, 4 and f5's 1: changes 2.5, 1,
    # 0, 1.5, 0: mean 5/5 = 1.
    assert (result.people_with_baseline, result.people_paired) == (5, 5)
    assert result.baseline_mean == pytest.approx(8 / 5)
    assert result.mean_change == pytest.approx(1.0)
    assert (result.scale_low, result.scale_high) == (1, 4)


def test_domains_without_answers_are_left_out(section: OutcomesSection) -> None:
    assert {(d.flow_id, d.domain) for d in section.domains} == {
        (DAY, "confidence"),
        (DAY, "social_contact"),
        (FAMILY, "routines"),
    }
    assert section.provider == "Bridge Day Centre"
    assert (section.period_start, section.period_end) == ("2026-04", "2027-03")


@pytest.mark.parametrize(
    ("provider", "start", "end", "message"),
    [
        ("Nobody", "2026-04", "2027-03", "no provider called 'Nobody'"),
        ("Bridge Day Centre", "2026-4", "2027-03", "is not YYYY-MM"),
        ("Bridge Day Centre", "2027-04", "2027-03", "starts (2027-04) after it ends"),
    ],
)
def test_bad_requests_say_why(
    db_engine: Engine, provider: str, start: str, end: str, message: str
) -> None:
    load(db_engine)
    with pytest.raises(ReportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        outcomes_report(db_engine, provider, start, end)


# --- the whole way: conversations by text through the real runner, then waves, then erasure ---

BASELINES, FOLLOW_UPS = [3, 4, 3, 5, 4, 1], [4, 5, 5, 5, 3, 5]
PHONES = [f"+4477009002{n:02d}" for n in range(6)]


def answer_by_text(runner: Runner, engine: Engine, vault: Vault, wave: str, month: str) -> None:
    at = datetime.fromisoformat(f"{month}-10T10:00:00+00:00")
    scores = BASELINES if wave == "baseline" else FOLLOW_UPS
    for n, (phone, confidence) in enumerate(zip(PHONES, scores, strict=True)):
        texts = ["DAYCENTRE", str(confidence), "3", "3", "3"]
        texts += ["More trips"] if confidence <= 2 else []  # a low score asks why
        for step, text in enumerate([*texts, "skip"]):
            runner.handle("sms", phone, text, f"{wave}-{n}-{step}", at + timedelta(minutes=step))
        with transaction(engine) as session:
            latest = select(Conversation).where(
                Conversation.address_hash == vault.lookup_hash("sms", phone)
            )
            talk = session.exec(latest.order_by(col(Conversation.id).desc())).first()
            assert talk is not None
            assert talk.status == "completed"
            mark_wave(session, vault, talk, wave)


def test_answers_by_text_pair_and_an_erased_person_drops_out(db_engine: Engine) -> None:
    vault = Vault.from_setting(generate_key())
    with transaction(db_engine) as session:
        provider = Provider(name="Bridge Day Centre", category="day_service", created_at=NOW)
        session.add(provider)
        session.flush()
        rows = "".join(f"Person {n},{phone},en\n" for n, phone in enumerate(PHONES))
        import_contacts(
            session, vault, provider, ContactCsv(io.StringIO("name,phone,language\n" + rows)), NOW
        )
    runner = Runner(db_engine, vault, FlowCatalog.load())
    answer_by_text(runner, db_engine, vault, "baseline", "2026-05")
    answer_by_text(runner, db_engine, vault, "6 months", "2026-11")
    before = outcomes_report(db_engine, "Bridge Day Centre", "2026-04", "2027-03", now=NOW)
    assert domain(before, DAY, "confidence").people_paired == 6
    with transaction(db_engine) as session:
        person = find_person(session, vault, identifiers(PHONES[5]))
        erase_person(session, person, NOW, vault=vault)
    after = outcomes_report(db_engine, "Bridge Day Centre", "2026-04", "2027-03", now=NOW)
    result = domain(after, DAY, "confidence")
    # The erased person (1 → 5) no longer pairs. Changes 1, 1, 2, 0, −1: mean 3/5.
    assert (result.people_with_baseline, result.people_paired) == (5, 5)
    assert result.mean_change == pytest.approx(0.6)
    assert domain(after, DAY, "skills").mean_change == 0

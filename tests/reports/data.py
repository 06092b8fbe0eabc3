"""A small, fully known data set for report tests, written straight into the tables.

October 2026, punctuality: Sunrise Care 40 answers, Hilltop Homecare 12, Tiny Care 3. Tiny's 3
is suppressed (primary), Hilltop's 12 too (secondary: rank 2 after a suppressed rank 1).
FFT likewise: Tiny 3 and Hilltop 12 suppressed, Sunrise 40 shown.
Tiny's figures — 2 of 3, 66.67 % — must never appear anywhere.
Sunrise's punctuality rises 2 points of 40 a month for twelve months (a trend), and its October
FFT is 20 very good, 10 good, 4 neither, 3 poor, 1 very poor, 2 don't know: 75 % positive,
10 % negative by NHS England's method.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlmodel import Session

from reports.queries import months_back
from storage.db import transaction
from storage.models import (
    Answer,
    Contact,
    Conversation,
    Invitation,
    Provider,
    SafeguardingFlag,
)

MONTH = "2026-10"
FFT_OCTOBER = {"very_good": 20, "good": 10, "neither": 4, "poor": 3, "very_poor": 1, "dont_know": 2}
COMMENTS = [
    ("Carers always arrive on time", "positive", ["punctuality"], None),
    ("Mrs Jones was late again and did not ring", "negative", ["punctuality"], None),
    ("They are never on time, I wait for hours", "negative", ["punctuality"], None),
    ("On time and very kind", "positive", ["punctuality", "staff_attitude"], None),
    ("Late every day and he hits me when I complain", "negative", ["punctuality"], ["abuse"]),
    ("Ring me on 07700 900123 about the late visits", "negative", ["punctuality"], None),
    ("Lovely kind staff", "positive", ["staff_attitude"], None),
]
FLAGGED_TEXT = "Late every day and he hits me when I complain"
UNSAFE_TEXT = "Ring me on 07700 900123 about the late visits"
SECRET_CONVERSATION_TEXT = "The tea is always cold"  # its conversation has a flag; never quoted


def month_start(month: str) -> datetime:
    year, number = (int(p) for p in month.split("-"))
    return datetime(year, number, 10, 12, 0, tzinfo=UTC)


class Writer:
    """Writes into one open session: the whole data set is one transaction, which is fast."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.providers: dict[str, int] = {}

    def provider(self, name: str) -> int:
        session = self.session
        row = Provider(name=name, created_at=datetime(2025, 1, 1, tzinfo=UTC))
        session.add(row)
        session.flush()
        assert row.id is not None
        self.providers[name] = row.id
        return row.id

    def respondent(
        self, provider: str, month: str, answers: list[dict[str, Any]], channel: str = "sms"
    ) -> int:
        at = month_start(month)
        session = self.session
        conversation = Conversation(
            channel=channel,
            address_hash="0" * 64,
            provider_id=self.providers[provider],
            flow_id="homecare_monthly",
            flow_version=1,
            session={},
            status="completed",
            started_at=at,
            last_activity_at=at,
            expires_at=at + timedelta(days=7),
        )
        session.add(conversation)
        session.flush()
        assert conversation.id is not None
        rows = [
            _answer(conversation.id, self.providers[provider], month, channel, a) for a in answers
        ]
        session.execute(insert(Answer), rows)
        return conversation.id

    def flag(self, provider: str, conversation_id: int, month: str, status: str = "open") -> None:
        self.session.add(
            SafeguardingFlag(
                conversation_id=conversation_id,
                provider_id=self.providers[provider],
                categories=["abuse"],
                source="rules",
                status=status,
                created_at=month_start(month),
                history=[],
            )
        )


def _answer(
    conversation: int, provider: int, month: str, channel: str, a: dict[str, Any]
) -> dict[str, Any]:
    row = {
        "conversation_id": conversation,
        "provider_id": provider,
        "flow_id": "homecare_monthly",
        "flow_version": 1,
        "question_type": "single_choice",
        "status": "answered",
        "channel": channel,
        "answered_at": month_start(month),
        "reporting_month": month,
        "superseded": False,
        "indicator": None,
        "value": None,
        "polarity": None,
        "raw_text": None,
        "purpose": None,
        "sentiment": None,
        "sentiment_score": None,
        "themes": None,
        "flags": None,
    }
    row.update(a)
    return row


def choice(
    indicator: str, value: str, positive: tuple[str, ...], negative: tuple[str, ...]
) -> dict[str, Any]:
    polarity = "positive" if value in positive else "negative" if value in negative else "neutral"
    question_type = "fft" if indicator == "fft" else "single_choice"
    return {
        "question_id": indicator,
        "question_type": question_type,
        "indicator": indicator,
        "value": value,
        "polarity": polarity,
    }


def punctuality(value: str) -> dict[str, Any]:
    return choice("punctuality", value, ("always", "usually"), ("rarely", "never"))


def fft_answer(value: str) -> dict[str, Any]:
    return choice("fft", value, ("very_good", "good"), ("poor", "very_poor"))


def comment(
    text: str, sentiment: str, themes: list[str], flags: list[str] | None
) -> dict[str, Any]:
    return {
        "question_id": "comments",
        "question_type": "free_text",
        "value": None,  # a free-text answer's words are only in its sealed raw text
        "raw_text": text,
        "sentiment": sentiment,
        "themes": themes,
        "flags": flags,
        "purpose": "nonspecific",
    }


def fft_values() -> list[str]:
    return [value for value, count in FFT_OCTOBER.items() for _ in range(count)]


def load_fixture(engine: Engine) -> None:
    with transaction(engine) as session:
        _load(Writer(session))


def _load(w: Writer) -> None:
    for name in ("Sunrise Care", "Hilltop Homecare", "Tiny Care"):
        w.provider(name)
    for index, month in enumerate(months_back(MONTH, 12)):
        positives = 20 + 2 * index if month != MONTH else 40 - 4  # October: 36 of 40
        for person in range(40):
            answers = [punctuality("always" if person < positives else "never")]
            if month == MONTH:
                answers.append(fft_answer(fft_values()[person]))
                if person < len(COMMENTS):
                    answers.append(comment(*COMMENTS[person]))
            channel = "web" if person % 4 == 0 else "sms"
            w.respondent("Sunrise Care", month, answers, channel)
    secret = w.respondent(
        "Sunrise Care", MONTH, [comment(SECRET_CONVERSATION_TEXT, "negative", ["food_drink"], None)]
    )
    w.flag("Sunrise Care", secret, MONTH)
    for person in range(12):
        w.respondent(
            "Hilltop Homecare",
            MONTH,
            [
                punctuality("usually" if person < 9 else "sometimes"),
                fft_answer("good" if person < 10 else "poor"),
            ],
        )
    for value in ("always", "always", "never"):
        w.respondent(
            "Tiny Care",
            MONTH,
            [punctuality(value), fft_answer("very_good" if value == "always" else "poor")],
        )
    _invitations(w)


def _invitations(w: Writer) -> None:
    """Sunrise invited 50 people in October; the last 20 of its conversations answered."""
    session = w.session
    contact = Contact(provider_id=w.providers["Sunrise Care"], created_at=month_start(MONTH))
    session.add(contact)
    session.flush()
    ids = (
        session.execute(
            select(Conversation.id)
            .where(Conversation.provider_id == w.providers["Sunrise Care"])
            .order_by(Conversation.id.desc())  # type: ignore[union-attr]
            .limit(20)
        )
        .scalars()
        .all()
    )
    for number in range(50):
        session.add(
            Invitation(
                contact_id=contact.id,
                provider_id=w.providers["Sunrise Care"],
                flow_id="homecare_monthly",
                channel="sms",
                month=MONTH,
                created_at=month_start(MONTH),
                conversation_id=ids[number] if number < len(ids) else None,
            )
        )

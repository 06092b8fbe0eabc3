"""A per-person outcomes campaign driven through a year with ``carevoice worker --once --now``,
as an operator would, against the fake Twilio API on loopback and a real SQLite database: each
person's baseline when they start, a follow-up three months later (one missed, reminded once and
closed when its window ends), an erased person dropping out of the pairs, and the outcomes
report's JSON resting on exactly the people with both waves."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from bot.cli.main import app
from bot.config.wiring import Services
from bot.surveys.schedules import parse_instant
from storage.db import make_engine
from storage.models import CampaignRun, Conversation
from tests.fakes.cli_harness import cli, fake_twilio_cli, reminded_numbers, runner
from tests.fakes.twilio_api import FakeTwilio

ANN, BEN, CAL, DEE, EVE = (f"+4477009002{n:02d}" for n in range(1, 6))
CONTACTS = (
    "name,phone,language,started_on\n"
    "Ann Hughes,07700 900201,en,2026-04-06\n"
    "Ben Ward,07700 900202,en,2026-04-06\n"
    "Cal Price,07700 900203,en,2026-04-06\n"
    "Dee Lloyd,07700 900204,en,2026-04-06\n"
    "Eve Moss,07700 900205,en,2026-05-11\n"  # starts later: her waves come later
)
LOW = ["2", "2", "3", "3", "SKIP", "SKIP"]  # a low score brings the extra question
LOWER = ["1", "2", "3", "3", "SKIP", "SKIP"]
HIGH = ["4", "4", "4", "3", "SKIP"]


@pytest.fixture
def twilio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    # So that four people's figures show in the outcomes report.
    threshold = {"CAREVOICE_REPORT_SUPPRESSION_THRESHOLD": "2"}
    with fake_twilio_cli(tmp_path, monkeypatch, extra=threshold) as fake:
        (tmp_path / "contacts.csv").write_text(CONTACTS)
        yield fake


def worker(at: str) -> str:
    return cli("worker", "--once", "--now", at)


def answer(phone: str, texts: list[str], at: str) -> None:
    services = Services.build()
    when = parse_instant(at)
    for n, text in enumerate(texts):
        services.runner.handle("sms", phone, text, f"SM-{phone}-{at}-{n}", when)


def invited(twilio: FakeTwilio, since: int = 0) -> Counter[str]:
    return Counter(s.to for s in twilio.sent[since:] if s.body.startswith("Hello."))


def waves() -> list[tuple[str | None, str, bool]]:
    """(wave, status, paired by a pseudonym) of every conversation, in order."""
    # The columns only: the session column holds people's words, sealed with the service's key.
    query = select(Conversation.wave, Conversation.status, Conversation.person_key)
    with Session(make_engine("sqlite:///carevoice.db")) as db:
        rows = db.exec(query.order_by(col(Conversation.id)))
        return [(wave, status, key is not None) for wave, status, key in rows]


def outcomes() -> dict[str, Any]:
    out = cli(
        "report", "--outcomes", "--provider", "Bridge Day Centre", "--from", "2026-04",
        "--to", "2027-03", "--format", "json",
    )  # fmt: skip
    found: dict[str, Any] = json.loads(out)
    return found


def domain(report: dict[str, Any], name: str) -> dict[str, Any]:
    sections = report.get("outcomes", report)
    found: dict[str, Any] = next(d for d in sections["domains"] if d["domain"] == name)
    return found


def test_baseline_then_follow_ups_missed_reminded_completed_and_erased(
    twilio: FakeTwilio,
) -> None:
    cli("providers", "add", "Bridge Day Centre", "--category", "day_service")
    cli("contacts", "import", "contacts.csv", "--provider", "Bridge Day Centre")
    cli(
        "campaigns", "add", "Outcomes", "--flow", "day_service_outcomes", "--providers", "all",
        "--per-person", "--waves", "baseline:0,3 months:3", "--window", "14",
        "--remind-after", "7", "--starts", "2026-04-01",
    )  # fmt: skip
    shown = json.loads(
        cli("campaigns", "preview", "Outcomes", "--at", "2026-04-06T10:00", "--format", "json")
    )
    assert shown["by_wave"] == {"baseline": {"due": 4, "to_invite": 4}}
    described = json.loads(cli("campaigns", "show", "Outcomes", "--format", "json"))
    assert described["waves"] == "baseline (month 0), 3 months (month 3)"
    assert (described["schedule"], described["window_days"]) == ("per person", 14)
    assert twilio.sent == []

    worker("2026-04-05T10:00")  # the day before they start: nobody is due
    assert invited(twilio) == Counter()
    worker("2026-04-06T10:00")
    assert invited(twilio) == Counter({ANN: 1, BEN: 1, CAL: 1, DEE: 1})
    worker("2026-04-06T10:05")  # a second run, as after a restart: nobody asked twice
    assert invited(twilio) == Counter({ANN: 1, BEN: 1, CAL: 1, DEE: 1})
    for phone, said in ((ANN, LOW), (BEN, LOWER), (CAL, LOW), (DEE, LOWER)):
        answer(phone, said, "2026-04-06T11:00")
    worker("2026-04-13T10:00")
    assert reminded_numbers() == Counter()  # everyone answered their baseline
    worker("2026-05-11T10:00")
    assert invited(twilio)[EVE] == 1
    answer(EVE, LOW, "2026-05-11T11:00")
    assert [w for w, _, _ in waves()] == ["baseline"] * 5

    sent = len(twilio.sent)
    worker("2026-07-06T10:00")  # three months on
    assert invited(twilio, sent) == Counter({ANN: 1, BEN: 1, CAL: 1, DEE: 1})
    answer(ANN, HIGH, "2026-07-06T12:00")
    answer(BEN, HIGH, "2026-07-07T12:00")
    answer(DEE, HIGH, "2026-07-08T12:00")
    worker("2026-07-12T10:00")
    assert reminded_numbers() == Counter()  # not yet seven days
    worker("2026-07-13T10:00")
    assert reminded_numbers() == Counter({CAL: 1})  # only Cal, who has not answered at all
    worker("2026-07-14T10:00")
    assert reminded_numbers() == Counter({CAL: 1})  # one reminder, never two
    worker("2026-07-20T10:00")  # the fourteen-day window has ended
    assert "wave 3 months" in cli("campaigns", "status", "Outcomes")
    status = json.loads(cli("campaigns", "status", "Outcomes", "--format", "json"))
    follow_up = status["waves"]["3 months"]["Bridge Day Centre / sms"]
    assert (follow_up["invited"], follow_up["finished"]) == (4, 3)
    with Session(make_engine("sqlite:///carevoice.db")) as db:
        runs = list(db.exec(select(CampaignRun).where(CampaignRun.period == "3 months")))
    assert all(r.closed_at is not None for r in runs)
    cal = [s for w, s, _ in waves() if w == "3 months"]
    assert sorted(cal) == ["completed", "completed", "completed", "expired"]

    before = outcomes()
    assert domain(before, "confidence")["people_paired"] == 3
    cli("contacts", "erase", "07700 900204", "--yes")  # Dee: her answers stay, unpaired
    with Session(make_engine("sqlite:///carevoice.db")) as db:
        keys = Counter(r.person_key is None for r in db.exec(select(CampaignRun)))
    assert keys == {False: 7, True: 2}  # Dee's two runs no longer name her pseudonym
    after = outcomes()
    confidence = domain(after, "confidence")
    assert (confidence["people_with_baseline"], confidence["people_paired"]) == (4, 2)
    assert confidence["lost_to_follow_up"] == 1  # Cal missed his
    assert confidence["not_yet_due"] == 1  # Eve's follow-up is not due until August
    assert confidence["mean_change"] == pytest.approx(2.5)  # Ann 2 → 4, Ben 1 → 4
    assert confidence["improved"] + confidence["same"] + confidence["worse"] == 2
    kinds = {c["kind"] for c in confidence["cautions"]}
    assert "few_people" in kinds
    assert "low_follow_up" not in kinds  # two of the three asked again answered
    assert domain(after, "independence")["mean_change"] == pytest.approx(0.0)


def test_an_opted_out_person_is_not_asked_their_follow_up(twilio: FakeTwilio) -> None:
    cli("providers", "add", "Bridge Day Centre", "--category", "day_service")
    cli("contacts", "import", "contacts.csv", "--provider", "Bridge Day Centre")
    cli(
        "campaigns", "add", "Outcomes", "--flow", "day_service_outcomes", "--providers", "all",
        "--per-person", "--waves", "baseline:0,3 months:3", "--starts", "2026-04-01",
    )  # fmt: skip
    worker("2026-04-06T10:00")
    answer(BEN, ["STOP"], "2026-04-06T11:00")
    shown = json.loads(
        cli("campaigns", "preview", "Outcomes", "--at", "2026-07-06T10:00", "--format", "json")
    )
    assert shown["by_wave"] == {"3 months": {"due": 4, "to_invite": 3}}
    assert shown["not_invited"] == {"opted out": 1}
    sent = len(twilio.sent)
    worker("2026-07-06T10:00")
    assert invited(twilio, sent) == Counter({ANN: 1, CAL: 1, DEE: 1})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3 months:3", "the first wave must be baseline:0"),
        ("baseline:0,later", "wave 'later' is not NAME:MONTHS"),
        ("baseline:0,6 months:6,3 months:3", "wave '3 months' must come months after '6 months'"),
        ("baseline:0,a very long name indeed:3", "longer than 20 characters"),
    ],
)
def test_waves_that_cannot_be_read_say_why(twilio: FakeTwilio, text: str, message: str) -> None:
    result = runner.invoke(
        app,
        ["campaigns", "add", "Bad", "--flow", "day_service_outcomes", "--providers", "all",
         "--per-person", "--waves", text],
    )  # fmt: skip
    assert result.exit_code == 1
    assert message in result.stderr


def test_overlapping_windows_ask_the_next_wave_once_the_first_is_done(twilio: FakeTwilio) -> None:
    cli("providers", "add", "Bridge Day Centre", "--category", "day_service")
    cli("contacts", "import", "contacts.csv", "--provider", "Bridge Day Centre")
    cli(
        "campaigns", "add", "Monthly", "--flow", "day_service_outcomes", "--providers", "all",
        "--per-person", "--waves", "baseline:0,1 month:1", "--window", "45", "--starts",
        "2026-04-01",
    )  # fmt: skip
    worker("2026-04-06T10:00")
    assert invited(twilio)[ANN] == 1
    worker("2026-05-06T10:00")  # the baseline's window is still open; the next wave is due
    assert invited(twilio)[ANN] == 2
    worker("2026-05-07T10:00")
    assert invited(twilio)[ANN] == 2
    assert [w for w, _, _ in waves()][-4:] == ["1 month"] * 4


def test_a_schedule_and_per_person_together_are_refused(twilio: FakeTwilio) -> None:
    result = runner.invoke(
        app,
        ["campaigns", "add", "Both", "--flow", "day_service_outcomes", "--providers", "all",
         "--per-person", "--schedule", "daily, 10:00"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "a per-person campaign has waves (--waves), not a --schedule" in result.stderr


def test_a_personal_link_is_reminded_once_within_the_window(
    twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAREVOICE_PUBLIC_URL", "https://cv.example.org")
    Path("links.csv").write_text(
        "name,phone,language,started_on,preferred_channel\n"
        "Ann Hughes,07700 900201,en,2026-04-06,\n"
        "Fay Rees,07700 900206,en,2026-04-06,web_sms\n"
        "Gil Hart,07700 900207,en,2026-04-06,web_sms\n"
    )
    cli("providers", "add", "Bridge Day Centre", "--category", "day_service")
    cli("contacts", "import", "links.csv", "--provider", "Bridge Day Centre")
    cli(
        "campaigns", "add", "Outcomes", "--flow", "day_service_outcomes", "--providers", "all",
        "--per-person", "--waves", "baseline:0,3 months:3", "--window", "14",
        "--remind-after", "10", "--starts", "2026-04-01",
    )  # fmt: skip
    worker("2026-04-06T10:00")
    fay, gil = (f"+4477009002{n:02d}" for n in (6, 7))
    [link] = [w for s in twilio.sent if s.to == fay for w in s.body.split() if "/s/" in w]
    answer(gil, ["STOP"], "2026-04-07T10:00")
    worker("2026-04-15T10:00")
    assert reminded_numbers() == Counter()  # not yet ten days
    sent = len(twilio.sent)
    worker("2026-04-16T10:00")
    assert reminded_numbers() == Counter({ANN: 1, fay: 1})  # not Gil, who said STOP
    [again] = [s.body for s in twilio.sent[sent:] if s.to == fay]
    assert again.startswith("A reminder:")
    assert link in again.split()
    worker("2026-04-17T10:00")
    assert reminded_numbers()[fay] == 1
    worker("2026-04-20T10:00")  # the window has ended
    with Session(make_engine("sqlite:///carevoice.db")) as db:
        runs = list(db.exec(select(CampaignRun)))
    assert all(r.closed_at is not None for r in runs)


def test_a_run_planned_in_quiet_hours_closes_if_its_window_ends_first(
    twilio: FakeTwilio,
) -> None:
    Path("late.csv").write_text(
        "name,phone,language,started_on\nAnn Hughes,07700 900201,en,2026-04-06\n"
    )
    cli("providers", "add", "Bridge Day Centre", "--category", "day_service")
    cli("contacts", "import", "late.csv", "--provider", "Bridge Day Centre")
    cli(
        "campaigns", "add", "Outcomes", "--flow", "day_service_outcomes", "--providers", "all",
        "--per-person", "--waves", "baseline:0,3 months:3", "--window", "1",
        "--starts", "2026-04-01",
    )  # fmt: skip
    worker("2026-04-06T21:30+01:00")  # her one day's window, but quiet hours: planned only
    with Session(make_engine("sqlite:///carevoice.db")) as db:
        [run] = db.exec(select(CampaignRun)).all()
    assert run.status == "planned"
    out = worker("2026-04-07T09:00+01:00")  # morning: the window closed at midnight
    assert twilio.sent == []
    assert "event=campaign.closed campaign=Outcomes window_ended=1" in out
    with Session(make_engine("sqlite:///carevoice.db")) as db:
        [run] = db.exec(select(CampaignRun)).all()
    assert (run.status, run.reason) == ("skipped", "window ended")
    assert "window ended 1" in cli("campaigns", "status", "Outcomes")

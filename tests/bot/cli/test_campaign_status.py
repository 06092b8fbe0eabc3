"""``campaigns status`` counts as invited only the people who were asked: those the planner
left out (opted out, no address, monthly cap) or who could not be asked when their turn came
(erased, channel not available) are shown apart, as "not invited", with the recorded reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config.wiring import Services
from bot.surveys.schedules import parse_instant
from tests.fakes.cli_harness import add_campaign, cli, fake_twilio_cli, import_examples
from tests.fakes.twilio_api import FakeTwilio

PHONES = [f"+4477009001{n:02d}" for n in range(1, 5)]  # examples/contacts.csv, in order


@pytest.fixture
def twilio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    with fake_twilio_cli(tmp_path, monkeypatch) as fake:
        yield fake


def status_json(name: str) -> dict[str, Any]:
    shown: dict[str, Any] = json.loads(cli("campaigns", "status", name, "--format", "json"))
    return shown


def stop(phone: str, at: str = "2026-11-20") -> None:
    Services.build().runner.handle("sms", phone, "STOP", f"SM-stop-{phone}", parse_instant(at))


def test_a_person_opted_out_at_planning_is_not_invited_and_shown_apart(twilio: FakeTwilio) -> None:
    import_examples()
    stop(PHONES[0])
    add_campaign("Monthly", "monthly, first Tuesday, 10:00")
    cli("worker", "--once", "--now", "2026-12-01T10:00")
    assert {s.to for s in twilio.sent} == set(PHONES[1:])
    shown = status_json("Monthly")
    assert set(shown["progress"]) == {"Sunrise Care / sms"}  # no "Sunrise Care / -" row
    row = shown["progress"]["Sunrise Care / sms"]
    assert (row["invited"], row["opted out"]) == (3, 0)  # nobody opted out of this survey
    assert shown["not_invited"] == {"opted out": 1}
    assert shown["not_invited_by_provider"] == {"Sunrise Care": {"opted out": 1}}
    text = cli("campaigns", "status", "Monthly")
    assert " / -" not in text
    assert "0/3 finished" in text
    assert "invited 3," in text
    assert "not invited: 1 (not counted above)" in text
    assert "Sunrise Care: opted out 1" in text


HILLTOP = """name,phone,language,easy_read,large_print,answers_on_behalf
Owen Price,07700 900201,en,no,no,
Nell Hughes,07700 900202,en,no,no,
"""


def test_preview_agrees_with_status_after_the_run(twilio: FakeTwilio, tmp_path: Path) -> None:
    import_examples()
    (tmp_path / "hilltop.csv").write_text(HILLTOP)
    cli("providers", "add", "Hilltop")
    cli("contacts", "import", str(tmp_path / "hilltop.csv"), "--provider", "Hilltop")
    stop(PHONES[0])
    stop("+447700900202")
    add_campaign("Monthly", "monthly, first Tuesday, 10:00")
    preview = json.loads(
        cli("campaigns", "preview", "Monthly", "--at", "2026-12-01", "--format", "json")
    )
    assert preview["by_provider"] == {"Hilltop": 1, "Sunrise Care": 3}
    cli("worker", "--once", "--now", "2026-12-01T10:00")
    shown = status_json("Monthly")
    invited = {label: row["invited"] for label, row in shown["progress"].items()}
    assert sum(invited.values()) == preview["to_invite"] == sum(invited_to(twilio).values())
    assert {label.split(" / ")[0]: n for label, n in invited.items()} == preview["by_provider"]
    assert shown["not_invited"] == preview["not_invited"] == {"opted out": 2}
    assert shown["not_invited_by_provider"] == {
        "Hilltop": {"opted out": 1}, "Sunrise Care": {"opted out": 1},
    }  # fmt: skip
    text = cli("campaigns", "status", "Monthly")
    assert "not invited: 2 (not counted above)" in text
    assert "  Hilltop: opted out 1\n" in text


def invited_to(twilio: FakeTwilio) -> dict[str, int]:
    found: dict[str, int] = {}
    for s in twilio.sent:
        if "Hello" in s.body:
            found[s.to] = found.get(s.to, 0) + 1
    return found


def test_the_monthly_cap_is_not_invited(twilio: FakeTwilio) -> None:
    import_examples()
    add_campaign("First", "monthly, first Tuesday, 10:00")
    add_campaign("Second", "monthly, day 2, 10:00")
    cli("worker", "--once", "--now", "2026-12-01T10:00")
    cli("worker", "--once", "--now", "2026-12-02T10:00")
    shown = status_json("Second")
    assert shown["period"] == "2026-12-02T10:00"
    assert shown["progress"] == {}
    assert shown["not_invited"] == {"monthly cap": 4}
    text = cli("campaigns", "status", "Second")
    assert "finished" not in text  # no progress row: nobody was asked
    assert "not invited: 4 (not counted above)" in text
    assert "Sunrise Care: monthly cap 4" in text
    first = status_json("First")
    assert first["not_invited"] == {}
    assert "not invited: nobody" in cli("campaigns", "status", "First")


def test_erased_before_their_turn_is_not_invited_and_the_rest_wait(twilio: FakeTwilio) -> None:
    import_examples()
    add_campaign("Paced", "monthly, first Tuesday, 10:00", "--throttle", "sms=60/h")  # one a minute
    cli("worker", "--once", "--now", "2026-12-01T10:00")
    assert len(invited_to(twilio)) == 1
    cli("contacts", "erase", "07700 900104", "--yes")  # planned, not asked yet
    cli("worker", "--once", "--now", "2026-12-01T10:01")
    shown = status_json("Paced")
    row = shown["progress"]["Sunrise Care / sms"]
    assert (row["invited"], row["waiting"]) == (2, 1)
    assert shown["not_invited"] == {"erased": 1}
    text = cli("campaigns", "status", "Paced")
    assert "0/2 finished" in text
    assert "not asked: waiting 1" in text  # still to be asked: not "not invited"
    assert "Sunrise Care: erased 1" in text


def test_a_per_person_wave_shows_who_was_never_asked_apart(twilio: FakeTwilio) -> None:
    Path("late.csv").write_text(
        "name,phone,language,started_on\n"
        "Ann Hughes,07700 900201,en,2026-04-06\n"
        "Ben Ward,07700 900202,en,2026-04-06\n"
    )
    cli("providers", "add", "Bridge Day Centre", "--category", "day_service")
    cli("contacts", "import", "late.csv", "--provider", "Bridge Day Centre")
    stop("+447700900202", "2026-04-01")
    cli(
        "campaigns", "add", "Outcomes", "--flow", "day_service_outcomes", "--providers", "all",
        "--per-person", "--waves", "baseline:0,3 months:3", "--window", "1",
        "--starts", "2026-04-01",
    )  # fmt: skip
    cli("worker", "--once", "--now", "2026-04-06T21:30+01:00")  # quiet hours: planned only
    cli("worker", "--once", "--now", "2026-04-07T09:00+01:00")  # her window closed at midnight
    assert twilio.sent == []
    shown = status_json("Outcomes")
    assert shown["waves"] == {"baseline": {}, "3 months": {}}  # nobody was asked
    assert shown["not_invited"] == {"baseline": {"window ended": 1}, "3 months": {}}
    assert shown["not_invited_by_provider"]["baseline"] == {
        "Bridge Day Centre": {"window ended": 1}
    }
    text = cli("campaigns", "status", "Outcomes")
    assert "finished" not in text
    assert "  not invited: 1 (not counted above)\n    Bridge Day Centre: window ended 1" in text
    assert "wave 3 months: nobody asked yet" in text

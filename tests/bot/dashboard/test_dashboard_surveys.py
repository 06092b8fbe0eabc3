"""Survey and consultation results: an organiser sees its own survey, per question, with small
numbers hidden; nobody else's."""

from __future__ import annotations

from typing import Any

from bot.dashboard.consultation import results
from flows.loader import load
from reports.render.words import pct
from reports.statistics import wilson
from storage.db import transaction
from tests.bot.dashboard.conftest import World
from tests.reports.data import Writer

MONTH = "2026-10"
ORGANISER = "organiser@forum.example"


def answer(question: str, kind: str, value: Any, **extra: Any) -> dict[str, Any]:
    return {
        "flow_id": "pcf_consultation",
        "question_id": question,
        "question_type": kind,
        "value": value,
        **extra,
    }


def load_consultation(world: World) -> None:
    """18 families: 10 waiting for assessment, 6 with a chair, 2 waiting for the chair."""
    statuses = ["waiting_assessment"] * 10 + ["has_chair"] * 6 + ["waiting_chair"] * 2
    themes = [["waiting_times"]] * 7 + [["communication"]] * 6 + [["equipment"]] * 2
    with transaction(world.engine) as session:
        writer = Writer(session)
        writer.providers = dict(world.providers)
        for person, status in enumerate(statuses):
            answers = [answer("status", "single_choice", status)]
            if person < 10:
                answers.append(answer("wait_time", "number", 4 + person))
            if person < len(themes):
                text = f"Comment number {person}"
                answers.append(
                    answer("change", "free_text", text, sentiment="negative", themes=themes[person])
                )
            writer.respondent("Sunrise Care", MONTH, answers, channel="sms")


def test_results_per_question(world: World) -> None:
    load_consultation(world)
    found = {q.id: q for q in results(world.engine, load("pcf_consultation"), MONTH, 5)}
    status = found["status"]
    assert status.n == 18
    shares = {s.label: s for s in status.options}
    waiting = shares["Waiting for an assessment"]
    interval = wilson(10, 18)
    assert interval is not None
    assert waiting.count == 10
    assert waiting.percent == 100 * 10 / 18
    assert (waiting.ci_low, waiting.ci_high) == (100 * interval.low, 100 * interval.high)
    # 2 is small; 6 is the next smallest, so it goes too (else 18 − 10 − 6 gives the 2 away).
    assert shares["Assessed, waiting for the chair"].suppressed
    assert shares["We have a chair from the service"].suppressed
    assert found["wait_time"].median == 8.5
    # Themes 7, 6 and 2: the 2 is hidden, and the 6 with it (secondary rule).
    assert [t.count for t in found["change"].themes] == [7, None, None]
    assert [(s.label, s.count) for s in found["change"].sentiment] == [("Negative", 15)]
    assert found["chair_fit"].n == 0
    assert found["change"].n == 15


def test_organiser_reads_its_own_survey(world: World) -> None:
    load_consultation(world)
    client = world.client(ORGANISER)
    index = client.get("/reports").text
    assert 'href="/reports/surveys/pcf_consultation"' in index
    assert "homecare_monthly" not in index
    months = client.get("/reports/surveys/pcf_consultation").text
    assert f'href="/reports/surveys/pcf_consultation/{MONTH}"' in months
    page = client.get(f"/reports/surveys/pcf_consultation/{MONTH}")
    assert page.status_code == 200
    interval = wilson(10, 18)
    assert interval is not None
    assert pct(100 * 10 / 18) in page.text
    assert f"{pct(100 * interval.low)} to {pct(100 * interval.high)}" in page.text
    assert "not shown (small number)" in page.text
    assert "Comment number" not in page.text  # no free text on this page


def test_others_cannot_read_it(world: World) -> None:
    load_consultation(world)
    organiser = world.client(ORGANISER)
    assert organiser.get("/reports/surveys/homecare_monthly").status_code == 404
    assert organiser.get(f"/reports/surveys/homecare_monthly/{MONTH}").status_code == 404
    provider = world.client("sunrise@provider.example")
    assert provider.get(f"/reports/surveys/pcf_consultation/{MONTH}").status_code == 404
    commissioner = world.client("commissioner@council.example")
    assert commissioner.get(f"/reports/surveys/pcf_consultation/{MONTH}").status_code == 200
    empty = commissioner.get("/reports/surveys/pcf_consultation/2020-01")
    assert empty.status_code == 404
    assert "No answers this month" in empty.text

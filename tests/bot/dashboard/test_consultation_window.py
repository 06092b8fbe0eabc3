"""A consultation over its open–close window, as the forum organiser sees it: answers from the web
form and by text counted together and by channel, placeholders filled, themes with redacted quotes
never from a flagged answer, and CSV, XLSX and PDF downloads with suppression applied; on SQLite
and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from bot.config.settings import Settings
from bot.config.wiring import Services
from bot.surveys.inbound import Inbound, StartRequest, StructuredAnswer
from tests.bot.dashboard.conftest import World

ORGANISER = "organiser@forum.example"
DISCLOSURE = "The driver shouts at my son and he hits him when I am not there"
COMMENTS = [
    "The wait for an assessment was far too long",
    "Waiting times are awful, we waited months",
    "Nobody phones back, communication is poor",
    "The wait has been very long for us",
    "We have been waiting ages for the assessment",
    "Still waiting after a year, far too long a wait",
    DISCLOSURE,
]


def respond(services: Services, number: int, channel: str, comment: str) -> None:
    at = datetime.now(UTC)
    address = f"respondent-{number:024d}" if channel == "web" else f"+4477009{number:05d}"
    start = StartRequest("pcf_consultation")
    services.runner.receive(Inbound(channel, address, f"s{number}", at, start=start))
    path = [("status", "has_chair"), ("chair_fit", "partly"), ("repairs", "no"),
            ("updates", "not_at_all"), ("fft", "poor"), ("change", comment)]  # fmt: skip
    for step, (question, value) in enumerate(path):
        answer = StructuredAnswer(question, (value,))
        services.runner.receive(Inbound(channel, address, f"a{number}-{step}", at, answer=answer))


def consultation(world: World) -> None:
    settings = Settings(database_url=str(world.engine.url), secret_key=world.key)
    services = Services.build(settings, world.engine)
    for number, comment in enumerate(COMMENTS):
        respond(services, number, "web" if number < 4 else "sms", comment)


def test_the_window_report_counts_every_channel_and_fills_placeholders(world: World) -> None:
    consultation(world)
    client = world.client(ORGANISER)
    page = client.get("/reports/surveys/pcf_consultation/results")
    assert page.status_code == 200, page.text
    assert "7 responses." in page.text
    assert "Does the children&#39;s wheelchair service keep you informed" in page.text
    assert "{provider}" not in page.text
    assert "Web form" in page.text
    assert "Text message" in page.text
    assert "Access and waiting" in page.text or "what people said" in page.text
    assert "what people said" in page.text
    assert "hits him" not in page.text  # a flagged answer is never quoted
    assert "Download CSV" in page.text


def test_downloads_have_one_row_per_response_and_never_a_flagged_answer(world: World) -> None:
    consultation(world)
    client = world.client(ORGANISER)
    response = client.get("/reports/surveys/pcf_consultation/results.csv")
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith('results.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert len(body) == 7
    assert "Where are you with the children's wheelchair service?" in header
    assert not any("wait_time" in h or "How many weeks" in h for h in header)  # nobody answered
    change = header.index("What is the one thing that should change? (Reply SKIP to skip.)")
    assert sorted(row[change] for row in body).count("[not shown]") >= 1
    assert not any(DISCLOSURE in ",".join(row) for row in body)
    sheet = load_workbook(
        io.BytesIO(client.get("/reports/surveys/pcf_consultation/results.xlsx").content)
    ).active
    assert sheet is not None
    assert sheet.max_row == 8
    pdf = client.get("/reports/surveys/pcf_consultation/results.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_too_few_responses_give_no_row_download(world: World) -> None:
    settings = Settings(database_url=str(world.engine.url), secret_key=world.key)
    services = Services.build(settings, world.engine)
    for number in range(3):
        respond(services, number, "web", "Fine")
    client = world.client(ORGANISER)
    response = client.get("/reports/surveys/pcf_consultation/results.csv")
    assert response.status_code == 404
    assert "Too few responses to download" in response.text
    page = client.get("/reports/surveys/pcf_consultation/results")
    assert "not shown (small number)" in page.text


def test_only_signed_in_organisers_of_the_survey_see_it(world: World) -> None:
    consultation(world)
    anonymous = world.client().get(
        "/reports/surveys/pcf_consultation/results.csv", follow_redirects=False
    )
    assert anonymous.status_code == 303
    assert world.client(ORGANISER).get("/reports/surveys/fft/results").status_code == 404

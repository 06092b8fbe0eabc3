"""A survey's web settings (flow YAML ``web:``): open and close dates, a response limit and one
response per device, each giving a clear page; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.app import create_app
from bot.channels.web.window import check_open
from bot.web.pages import PageError
from flows.loader import load_file
from storage.models import Answer
from tests.bot.channels.web.harness import FormWorld, variant, world_settings
from tests.fakes.live_service import LiveService

TODAY = datetime.now(UTC).date()


@pytest.fixture
def windowed(db_engine: Engine, tmp_path: Path) -> Iterator[FormWorld]:
    day = timedelta(days=1)
    variant(tmp_path, "closed_survey", f"  opens: {TODAY - 9 * day}\n  closes: {TODAY - day}\n"
            "  results: Results will be on the forum's website in January.\n")  # fmt: skip
    variant(tmp_path, "future_survey", f"  opens: {TODAY + 3 * day}\n")
    variant(tmp_path, "open_survey", f"  opens: {TODAY}\n  closes: {TODAY + day}\n")
    variant(tmp_path, "small_survey", "  response_limit: 1\n")
    variant(tmp_path, "device_survey", "  one_per_device: true\n")
    settings = world_settings(db_engine, flows_dir=tmp_path)
    service = LiveService(create_app(settings, db_engine)).start()
    try:
        yield FormWorld(settings, db_engine, service)
    finally:
        service.stop()


def finish(world: FormWorld, flow_id: str) -> None:
    visitor = world.visitor()
    visitor.get(f"/f/{flow_id}")
    visitor.submit()
    visitor.submit("good")
    visitor.submit("")
    visitor.submit()
    assert visitor.title == "Your answers have been sent"


def test_a_closed_survey_says_so_and_where_results_will_be(windowed: FormWorld) -> None:
    visitor = windowed.visitor()
    page = visitor.get("/f/closed_survey")
    assert page.status_code == 410
    assert visitor.title == "This survey has closed"
    assert "Results will be on the forum&#39;s website in January." in page.text
    page = visitor.get("/f/future_survey")
    assert page.status_code == 403
    assert visitor.title == "This survey is not open yet"
    page = visitor.get("/f/open_survey")
    assert page.status_code == 200
    assert "You can answer until the end of" in page.text


def test_the_response_limit_stops_new_starts_only(windowed: FormWorld) -> None:
    first = windowed.visitor()
    first.get("/f/small_survey")
    first.submit()
    second = windowed.visitor()
    assert second.get("/f/small_survey").status_code == 410
    assert "all the responses it needs" in second.page.text  # type: ignore[union-attr]
    first.submit("good")  # the first person carries on
    with Session(windowed.engine) as db:
        assert len(db.exec(select(Answer)).all()) == 1


def test_one_response_per_device_is_a_cookie_set_on_sending(windowed: FormWorld) -> None:
    visitor = windowed.visitor()
    start = visitor.get("/f/device_survey")
    assert "we store a small cookie on this device" in start.text
    visitor.submit()
    visitor.submit("good")
    visitor.submit("")
    visitor.submit()
    assert visitor.title == "Your answers have been sent"
    again = visitor.get("/f/device_survey")
    assert again.status_code == 403
    assert visitor.title == "You have already answered this survey"
    finish(windowed, "device_survey")  # another browser may still answer


def test_the_window_is_counted_in_uk_days(tmp_path: Path) -> None:
    variant(tmp_path, "summer_survey", "  opens: 2026-06-01\n  closes: 2026-06-30\n")
    flow = load_file(tmp_path / "summer_survey.yaml")
    check_open(flow, datetime(2026, 5, 31, 23, 30, tzinfo=UTC))  # 00:30 on 1 June in London
    check_open(flow, datetime(2026, 6, 30, 22, 59, tzinfo=UTC))
    for outside in (
        datetime(2026, 5, 31, 22, 59, tzinfo=UTC),
        datetime(2026, 6, 30, 23, 0, tzinfo=UTC),
    ):
        with pytest.raises(PageError):
            check_open(flow, outside)

"""The outcomes page over HTTP: the figures are the outcomes report's, on screen and in every
download, and a provider's outcomes are seen only by those who may see that provider."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from reports.model import OutcomesSection
from reports.outcome_report import outcomes_report
from reports.render.outcome_words import points
from storage.models import Provider
from tests.bot.dashboard.conftest import World
from tests.reports.test_outcome_report import load as load_outcomes

COMMISSIONER = "commissioner@council.example"
PROVIDER = "sunrise@provider.example"  # Sunrise Care's own user
ORGANISER = "organiser@forum.example"
YEAR = ("2026-04", "2027-03")


@pytest.fixture
def bridge(world: World) -> int:
    load_outcomes(world.engine)
    with Session(world.engine) as db:
        found = db.exec(select(Provider).where(Provider.name == "Bridge Day Centre")).one()
    assert found.id is not None
    return found.id


def expected(world: World) -> OutcomesSection:
    return outcomes_report(world.engine, "Bridge Day Centre", *YEAR)


def test_the_page_shows_each_domains_change_people_and_cautions(world: World, bridge: int) -> None:
    page = world.client(COMMISSIONER).get(f"/reports/outcomes/{bridge}/2026-04/2027-03")
    assert page.status_code == 200
    assert page.text.count("<h1>") == 1
    assert '<main id="main-content"' in page.text
    section = expected(world)
    shown = [d for d in section.domains if not d.suppressed]
    assert shown
    assert any(d.suppressed for d in section.domains)
    for d in shown:
        assert f"{d.people_paired} of {d.people_with_baseline}" in page.text
        assert f"{points(d.ci_low)} to {points(d.ci_high)}" in page.text
        assert f"{d.improved} / {d.same} / {d.worse}" in page.text
        for caution in d.cautions:
            assert caution.message.replace("'", "&#39;") in page.text
    assert "Suppressed (small numbers)" in page.text
    for fmt in ("json", "csv", "html", "pdf", "xlsx"):
        assert f'href="/reports/outcomes/{bridge}/2026-04/2027-03.{fmt}"' in page.text


def test_json_and_pdf_downloads_carry_the_same_figures(world: World, bridge: int) -> None:
    client = world.client(COMMISSIONER)
    base = f"/reports/outcomes/{bridge}/2026-04/2027-03"
    got = client.get(f"{base}.json")
    assert got.headers["content-type"] == "application/json"
    assert (
        'filename="outcomes-bridge-day-centre-2026-04-to-2027-03.json"'
        in (got.headers["content-disposition"])
    )
    want = json.loads(expected(world).model_dump_json())
    assert {**got.json(), "generated_at": ""} == {**want, "generated_at": ""}
    pdf = client.get(f"{base}.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    confidence = next(d for d in expected(world).domains if d.domain == "confidence")
    assert points(confidence.mean_change) in text
    assert f"{confidence.people_paired} of {confidence.people_with_baseline}" in text


def test_the_reports_page_links_to_outcomes_for_a_contract_year(world: World, bridge: int) -> None:
    client = world.client(COMMISSIONER)
    index = client.get("/reports").text
    assert 'action="/reports/outcomes/view"' in index
    assert '<a href="/reports#outcomes">Outcomes</a>' in index  # in every page's navigation
    assert 'id="outcomes"' in index
    assert 'name="from" type="text" inputmode="numeric" value="2026-04"' in index
    chosen = client.get(
        "/reports/outcomes/view",
        params={"provider": bridge, "from": "2026-04", "to": "2027-03"},
        follow_redirects=False,
    )
    assert chosen.headers["location"] == f"/reports/outcomes/{bridge}/2026-04/2027-03"
    wrong = client.get(
        "/reports/outcomes/view",
        params={"provider": bridge, "from": "April", "to": "2027-03"},
        follow_redirects=False,
    )
    assert wrong.headers["location"] == "/reports#outcomes"
    backwards = client.get(f"/reports/outcomes/{bridge}/2027-03/2026-04")
    assert backwards.status_code == 404
    assert "starts (2027-03) after it ends (2026-04)" in backwards.text


def test_a_provider_sees_only_its_own_outcomes(world: World, bridge: int) -> None:
    client = world.client(PROVIDER)
    sunrise = world.providers["Sunrise Care"]
    own = client.get(f"/reports/outcomes/{sunrise}/2026-04/2027-03")
    assert own.status_code == 200
    assert "No one with a first answer (baseline) in this period" in own.text
    for path in (
        f"{bridge}/2026-04/2027-03",
        f"{bridge}/2026-04/2027-03.json",
        "999/2026-04/2027-03",
    ):
        assert client.get(f"/reports/outcomes/{path}").status_code == 404
    organiser = world.client(ORGANISER)
    assert organiser.get(f"/reports/outcomes/{bridge}/2026-04/2027-03").status_code == 404
    signed_out = world.client().get(
        f"/reports/outcomes/{bridge}/2026-04/2027-03", follow_redirects=False
    )
    assert signed_out.status_code == 303

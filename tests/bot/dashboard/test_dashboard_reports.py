"""Report pages and downloads over HTTP, and who may see which."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.build import provider_report
from tests.bot.dashboard.conftest import World
from tests.reports.data import MONTH

COMMISSIONER = "commissioner@council.example"
PROVIDER = "sunrise@provider.example"
ORGANISER = "organiser@forum.example"
FORMATS = ("json", "csv", "html", "pdf", "xlsx")


def test_commissioner_sees_every_provider(world: World) -> None:
    client = world.client(COMMISSIONER)
    index = client.get("/reports")
    for name in ("Sunrise Care", "Hilltop Homecare", "Tiny Care"):
        assert name in index.text
    assert f'href="/reports/all/{MONTH}"' in index.text
    for pid in world.providers.values():
        assert client.get(f"/reports/{pid}/{MONTH}").status_code == 200
    overview = client.get(f"/reports/all/{MONTH}")
    assert overview.status_code == 200
    assert "All providers" in overview.text


def test_choosing_provider_and_month_without_javascript(world: World) -> None:
    client = world.client(COMMISSIONER)
    sunrise = world.providers["Sunrise Care"]
    response = client.get(
        "/reports/view", params={"provider": sunrise, "month": MONTH}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/reports/{sunrise}/{MONTH}"


def test_report_page_shows_the_report_inline(world: World) -> None:
    client = world.client(COMMISSIONER)
    sunrise = world.providers["Sunrise Care"]
    page = client.get(f"/reports/{sunrise}/{MONTH}").text
    assert page.count("<h1>") == 1
    assert page.count("<main") == 1
    assert '<main id="main-content"' in page
    assert "Sunrise Care — October 2026" in page
    assert "75.0%" in page  # October FFT, % positive
    for fmt in FORMATS:
        assert f'href="/reports/{sunrise}/{MONTH}.{fmt}"' in page
    assert "66.7" not in page  # Tiny Care's suppressed figure appears nowhere


def test_downloads_agree_with_the_report(world: World) -> None:
    client = world.client(COMMISSIONER)
    sunrise = world.providers["Sunrise Care"]
    expected = provider_report(world.engine, "Sunrise Care", MONTH).model_dump()
    got = client.get(f"/reports/{sunrise}/{MONTH}.json")
    assert got.headers["content-type"] == "application/json"
    assert 'filename="report-sunrise-care-2026-10.json"' in got.headers["content-disposition"]
    body = got.json()
    assert {**body, "generated_at": ""} == json.loads(json.dumps({**expected, "generated_at": ""}))
    assert body["fft"]["percent_positive"] == pytest.approx(75.0)

    pdf = client.get(f"/reports/{sunrise}/{MONTH}.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Sunrise Care" in text
    assert "75.0%" in text

    xlsx = client.get(f"/reports/{sunrise}/{MONTH}.xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames

    csv = client.get(f"/reports/{sunrise}/{MONTH}.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert "Sunrise Care" in csv.text
    html = client.get(f"/reports/{sunrise}/{MONTH}.html")
    assert html.text.startswith("<!DOCTYPE html>")
    assert "attachment" in html.headers["content-disposition"]


def test_all_provider_download(world: World) -> None:
    body = world.client(COMMISSIONER).get(f"/reports/all/{MONTH}.json").json()
    assert body["scope"] == "all_providers"


def test_provider_user_sees_only_its_own_provider(world: World) -> None:
    client = world.client(PROVIDER)
    index = client.get("/reports").text
    assert "Sunrise Care" in index
    assert "Hilltop Homecare" not in index
    assert "/reports/all/" not in index
    sunrise = world.providers["Sunrise Care"]
    assert client.get(f"/reports/{sunrise}/{MONTH}").status_code == 200
    assert client.get(f"/reports/{sunrise}/{MONTH}.pdf").status_code == 200


def test_provider_user_gets_404_for_another_provider_even_by_url(world: World) -> None:
    client = world.client(PROVIDER)
    missing = client.get(f"/reports/999999/{MONTH}")
    for other in ("Hilltop Homecare", "Tiny Care"):
        pid = world.providers[other]
        paths = [f"/reports/{pid}/{MONTH}", *(f"/reports/{pid}/{MONTH}.{f}" for f in FORMATS)]
        for path in paths:
            response = client.get(path)
            assert response.status_code == 404, path
            assert response.text == missing.text  # indistinguishable from no such provider
            assert other not in response.text
    for path in (f"/reports/all/{MONTH}", f"/reports/all/{MONTH}.json"):
        assert client.get(path).status_code == 404
    assert client.get("/flags").status_code == 404


def test_organiser_sees_no_provider_reports(world: World) -> None:
    client = world.client(ORGANISER)
    index = client.get("/reports").text
    assert "Sunrise Care" not in index
    sunrise = world.providers["Sunrise Care"]
    assert client.get(f"/reports/{sunrise}/{MONTH}").status_code == 404
    assert client.get(f"/reports/{sunrise}/{MONTH}.json").status_code == 404
    assert client.get(f"/reports/all/{MONTH}").status_code == 404


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/reports/{sunrise}/2026-13", 404, "is not YYYY-MM"),
        ("/reports/{sunrise}/2019-01", 404, "No answers for Sunrise Care in 2019-01"),
        ("/reports/{sunrise}/2026-10.docx", 404, "Page not found"),
        ("/reports/nothing/here", 404, "Page not found"),
        ("/flags/not-a-number", 404, "Page not found"),
    ],
)
def test_errors_are_friendly_pages(world: World, path: str, status: int, words: str) -> None:
    client = world.client(COMMISSIONER)
    response = client.get(path.format(sunrise=world.providers["Sunrise Care"]))
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert words in response.text
    assert "Traceback" not in response.text

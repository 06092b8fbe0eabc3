"""The outcomes report in JSON, HTML and PDF: the same figures in each, nothing of a suppressed
domain anywhere, and the monthly report carrying the same section when asked."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.model import OutcomesSection, Report
from reports.outcomes import DomainInput, Rules, domain_outcome
from reports.render import html, jsonfmt
from reports.render.formats import Format, render, render_outcomes

# Worked in tests/reports/test_outcomes.py: mean change 5/6 = +0.83, interval −0.39 to +2.06,
# d_z 0.71; with two people lost the reliable threshold is 2.21 and nobody passes it.
PAIRS: list[tuple[float, float | None]] = [(2, 3), (3, 5), (1, 1), (4, 3), (2, 4), (3, 4)]
# Three people with both waves: 1 to 4 is suppressed. Their mean change is 1.75 (from 1 to 2.75);
# that number must not appear.
HIDDEN: list[tuple[float, float | None]] = [(1, 3), (1, 2.5), (1, 2.75)]


def section() -> OutcomesSection:
    def item(domain: str, people: list[tuple[float, float | None]]) -> DomainInput:
        label = domain.replace("_", " ").capitalize()
        return DomainInput("day_service_outcomes", domain, label, "higher", 1, 5, None, people)

    rules = Rules(threshold=5)
    return OutcomesSection(
        provider="Bridge Day Centre",
        period_start="2026-04",
        period_end="2027-03",
        generated_at="2027-04-02T09:00:00+00:00",
        suppression_threshold=5,
        method="Method text.",
        domains=[
            domain_outcome(item("confidence", [*PAIRS, (5, None), (5, None)]), rules),
            domain_outcome(item("social_contact", HIDDEN), rules),
        ],
    )


FIGURES = ("+0.83", "-0.39", "+2.06", "0.71", "2.21", "6 of 8")


def test_json_is_the_section_and_matches_the_published_schema() -> None:
    document = json.loads(jsonfmt.render_outcomes(section()))
    schema = json.loads(jsonfmt.SCHEMA_FILE.read_text())
    jsonschema.validate(document, {"$defs": schema["$defs"], "$ref": "#/$defs/OutcomesSection"})
    confidence, social = document["domains"]
    assert confidence["mean_change"] == pytest.approx(5 / 6)
    assert confidence["people_paired"] == 6
    assert social["suppressed"] is True
    assert social["mean_change"] is None


@pytest.mark.parametrize("fmt", [Format.html, Format.pdf])
def test_html_and_pdf_show_the_json_figures_and_hide_the_suppressed(fmt: Format) -> None:
    body = render_outcomes(section(), fmt)
    if fmt is Format.pdf:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    else:
        text = body.decode()
    flat = " ".join(text.replace("−", "-").split())
    for figure in FIGURES:
        assert figure in flat, figure
    assert "Suppressed (small numbers)" in flat
    assert "1.75" not in flat
    assert "2.75" not in flat
    assert "Caution:" in flat


def test_csv_and_xlsx_hold_the_json_numbers_and_nothing_suppressed() -> None:
    document = json.loads(jsonfmt.render_outcomes(section()))
    rows = list(csv.DictReader(io.StringIO(render_outcomes(section(), Format.csv).decode())))
    by_measure = {(r["domain"], r["measure"]): r for r in rows}
    confidence = document["domains"][0]
    for measure in ("mean_change", "ci_low", "ci_high", "effect_size_dz", "people_paired"):
        assert float(by_measure["confidence", measure]["value"]) == confidence[measure]
    hidden = [r for r in rows if r["domain"] == "social_contact"]
    assert {(r["value"], r["suppressed"]) for r in hidden} == {("", "true")}
    book = load_workbook(io.BytesIO(render_outcomes(section(), Format.xlsx)))
    header, first, second = book["Outcomes"].iter_rows(values_only=True)
    assert dict(zip(header, first, strict=True))["mean_change"] == confidence["mean_change"]
    values = dict(zip(header, second, strict=True))
    assert values["suppressed"] is True
    assert values["mean_change"] is None
    assert [row[2] for row in book["Cautions"].iter_rows(min_row=2, values_only=True)] == [
        c["kind"] for c in confidence["cautions"]
    ]


def test_the_monthly_report_carries_the_same_section(report: Report) -> None:
    with_outcomes = report.model_copy(update={"outcomes": section()})
    page = html.render(with_outcomes)
    assert "Outcomes: April 2026 to March 2027" in page
    assert "+0.83" in page
    document = json.loads(render(with_outcomes, Format.json))
    jsonschema.validate(document, json.loads(jsonfmt.SCHEMA_FILE.read_text()))
    assert document["outcomes"] == json.loads(jsonfmt.render_outcomes(section()))
    assert "Outcomes:" not in html.render(report)


def test_the_distance_travelled_chart_draws_only_published_domains() -> None:
    page = html.render_outcomes(section())
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert "Confidence" in chart
    assert "Social contact" not in chart
    hidden = section().model_copy(update={"domains": section().domains[1:]})
    assert "<svg" not in html.render_outcomes(hidden)


def test_the_sentence_gives_both_tests_and_survives_identical_changes() -> None:
    page = " ".join(html.render_outcomes(section()).split())
    assert "Wilcoxon signed-rank p = " in page
    same: list[tuple[float, float | None]] = [(2, 3)] * 6  # SD of change 0: no t, yet a Wilcoxon p
    rules = Rules(threshold=5)
    item = DomainInput("day_service_outcomes", "skills", "Skills", "higher", 1, 5, None, same)
    one = section().model_copy(update={"domains": [domain_outcome(item, rules)]})
    assert "rose by 1.00 points" in " ".join(html.render_outcomes(one).split())


@pytest.mark.parametrize("fmt", [Format.html, Format.pdf, Format.csv, Format.xlsx, Format.json])
def test_every_format_says_who_is_not_yet_due_apart_from_who_was_lost(fmt: Format) -> None:
    item = DomainInput(
        "day_service_outcomes", "confidence", "Confidence", "higher", 1, 5, None,
        [*PAIRS, (5, None), (5, None)], not_due=[4, 2, 3],
    )  # fmt: skip
    shown = section().model_copy(update={"domains": [domain_outcome(item, Rules(threshold=5))]})
    body = render_outcomes(shown, fmt)
    if fmt is Format.xlsx:
        header, row = load_workbook(io.BytesIO(body))["Outcomes"].iter_rows(values_only=True)
        values = dict(zip(header, row, strict=True))
        assert (values["lost_to_follow_up"], values["not_yet_due"]) == (2, 3)
        return
    if fmt is Format.pdf:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    else:
        text = body.decode()
    flat = " ".join(text.split())
    if fmt is Format.csv:
        assert "confidence,not_yet_due,3," in flat
        assert "confidence,lost_to_follow_up,2," in flat
    elif fmt is Format.json:
        [domain] = json.loads(text)["domains"]
        assert (domain["lost_to_follow_up"], domain["not_yet_due"]) == (2, 3)
        assert domain["follow_up_percent"] == pytest.approx(75.0)  # 6 of the 8 asked
    else:
        assert "Of the 8 asked again, 6 (75%) answered and 2 did not." in flat
        assert "3 have not been asked again yet (not yet due)." in flat

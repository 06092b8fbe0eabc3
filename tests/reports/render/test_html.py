"""What the HTML (and so the PDF) report says: the reason each hidden figure is hidden, the
RAG thresholds beside each status, readable times, the FFT answers once, and run charts whose
captions match what is drawn."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from reports.build import provider_report
from reports.config import RagBands, ReportConfig
from reports.model import Report
from reports.render import html
from tests.reports.conftest import NOW
from tests.reports.data import MONTH


def _visible(page: str) -> str:
    return re.sub(r"<svg.*?</svg>", "", page, flags=re.S)


def test_secondary_suppression_is_explained_as_such(loaded: Engine) -> None:
    # Hilltop's 12 punctuality answers are hidden only so Tiny's 3 cannot be worked out.
    hilltop = _visible(html.render(provider_report(loaded, "Hilltop Homecare", MONTH, now=NOW)))
    row = next(r for r in hilltop.split("<tr>") if r.startswith('<th scope="row">Punctuality'))
    assert "Not shown: hidden so that another number cannot be worked out." in row
    tiny = _visible(html.render(provider_report(loaded, "Tiny Care", MONTH, now=NOW)))
    row = next(r for r in tiny.split("<tr>") if r.startswith('<th scope="row">Punctuality'))
    assert "Not shown: fewer than 5 answers." in row
    assert "hidden so that" not in row


def test_status_has_its_thresholds_beside_it(loaded: Engine) -> None:
    config = ReportConfig(rag={"punctuality": RagBands(green=95, amber=85)})
    page = _visible(html.render(provider_report(loaded, "Sunrise Care", MONTH, config, now=NOW)))
    row = next(r for r in page.split("<tr>") if r.startswith('<th scope="row">Punctuality'))
    assert "AMBER" in row  # 90 % against green from 95 %
    assert "green from 95%, amber from 85%, red below 85%" in row


def test_times_are_written_out_not_iso(report: Report) -> None:
    page = _visible(html.render(report))
    assert "made 3 November 2026, 09:00" in page
    assert "2026-11-03T" not in page


def test_fft_answer_counts_appear_once(report: Report) -> None:
    page = _visible(html.render(report))
    assert page.count("Neither good nor poor") == 1
    assert 'href="#fft"' in page


def test_charts_match_their_captions(report: Report) -> None:
    page = html.render(report)
    figures = re.findall(r"<figure>.*?</figure>", page, flags=re.S)
    by_label = {re.search(r'aria-label="Run chart of ([^:]+):', f)[1]: f for f in figures}  # type: ignore[index]
    punctuality, fft = by_label["Punctuality"], by_label["Friends and Family Test"]
    # Twelve months: limits drawn (two dashed lines) and the caption names them.
    assert "Dashed lines: process limits" in punctuality
    assert len(re.findall(r"stroke-dasharray", punctuality)) == 2
    # One month: the point alone, and the caption says why there are no limits.
    assert "Dashed lines" not in fft
    assert "Points only" in fft
    assert "stroke-dasharray" not in fft
    assert "Only 1 month has a published figure" in _visible(page)
    assert "need at least 6 months" in _visible(page)


def test_a_hidden_theme_says_why_outside_its_heading(report: Report) -> None:
    page = _visible(html.render(report))
    assert "Not shown: fewer than 5 comments." in page
    assert not re.search(r"<h3>[^<]*Not shown", page)
    assert "Punctuality and timekeeping (6 comments)" in page

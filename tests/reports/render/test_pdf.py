"""The PDF is tagged for screen readers (PDF/UA-1): read back with pypdf, it has a structure
tree with real headings and table header cells, a language, a title shown in the window, and
every chart is a Figure carrying alt text that says what the chart shows."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from reports.build import all_providers_report
from reports.model import Report
from reports.render import pdf
from reports.render.words import chart_alt
from storage import sealed
from storage.crypto import Vault, generate_key
from storage.db import make_engine, transaction
from storage.migrate import upgrade
from tests.reports.conftest import NOW
from tests.reports.data import MONTH, Writer, fft_answer, punctuality


def _elements(node: Any) -> Iterator[DictionaryObject]:
    """Every structure element below ``node``, depth first."""
    if isinstance(node, IndirectObject):
        node = node.get_object()
    if isinstance(node, ArrayObject):
        for kid in node:
            yield from _elements(kid)
    elif isinstance(node, DictionaryObject):
        if node.get("/Type") == "/StructElem" or "/S" in node:
            yield node
        if "/K" in node:
            yield from _elements(node["/K"])


@pytest.fixture
def reader(report: Report) -> PdfReader:
    return PdfReader(io.BytesIO(pdf.render(report)))


def test_pdf_is_tagged_with_language_and_title(reader: PdfReader) -> None:
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata is not None
    assert reader.metadata.title == "Sunrise Care — October 2026: feedback report"
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert b"pdfuaid" in xmp.stream.get_data()  # claims PDF/UA part 1


def test_pdf_has_headings_tables_with_header_cells(reader: PdfReader) -> None:
    tags = [str(e["/S"]) for e in _elements(reader.trailer["/Root"]["/StructTreeRoot"])]
    assert tags.count("/H1") == 1
    assert tags.count("/H2") >= 6
    assert "/H3" in tags
    assert "/Table" in tags
    assert "/TH" in tags
    assert "/Caption" in tags


def test_each_chart_is_a_figure_with_its_alt_text(reader: PdfReader, report: Report) -> None:
    figures = [
        e for e in _elements(reader.trailer["/Root"]["/StructTreeRoot"]) if e["/S"] == "/Figure"
    ]
    charted = [i for i in report.indicators if i.spc.points]
    assert len(figures) == len(charted) >= 2
    assert sorted(str(f["/Alt"]) for f in figures) == sorted(chart_alt(i) for i in charted)
    punctuality = next(str(f["/Alt"]) for f in figures if "Punctuality" in str(f["/Alt"]))
    assert "process limits" in punctuality
    assert "12 months" in punctuality


def test_weasyprint_reports_nothing_missing_for_pdf_ua(
    report: Report, caplog: pytest.LogCaptureFixture
) -> None:
    # WeasyPrint logs an error for each image without alt text and for a missing language.
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf.render(report)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_long_tables_across_pages_still_make_a_tagged_pdf(tmp_path: Path) -> None:
    # 45 providers: the by-provider tables run over pages. With <caption> inside <table>,
    # WeasyPrint 68's tagger crashed ("Table wrapper without a table") on a caption left at
    # the foot of a page; the PDF puts each caption just before its table instead.
    engine = make_engine(f"sqlite:///{tmp_path / 'many.db'}")
    upgrade(engine)
    sealed.bind(engine, Vault.from_setting(generate_key()))
    with transaction(engine) as session:
        writer = Writer(session)
        for number in range(45):
            name = f"Provider {number:02d} Care"
            writer.provider(name)
            for person in range(3 + number % 9):
                answers = [punctuality("always" if person % 3 else "never"), fft_answer("good")]
                writer.respondent(name, MONTH, answers, ("sms", "web", "paper")[person % 3])
    overview = all_providers_report(engine, MONTH, now=NOW)
    engine.dispose()
    reader = PdfReader(io.BytesIO(pdf.render(overview)))
    assert len(reader.pages) > 3
    tags = [str(e["/S"]) for e in _elements(reader.trailer["/Root"]["/StructTreeRoot"])]
    assert tags.count("/Table") >= 4

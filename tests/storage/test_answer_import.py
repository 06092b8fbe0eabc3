"""Importing answers from CSV on a real database: exact line numbers for bad rows, good rows
imported, idempotent per file, safeguarding checked, and the answers counted by reports."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.surveys.text_analysis import DefaultTextAnalysis
from reports.build import provider_report
from reports.indicators import flows
from storage.answer_import import ImportResult, import_answers
from storage.answer_rows import CsvHeaderError
from storage.db import transaction
from storage.models import Answer, Conversation, Provider, SafeguardingFlag

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FLOWS = {flow.id: flow for flow in flows()}

GOOD_AND_BAD = """\
provider,date,channel,flow,question,value,text,respondent
Paper Care,2026-10-05,paper,fft,fft,very_good,,r1
Paper Care,2026-10-05,paper,fft,fft_why,,"Lovely staff,
always on time",r1
Paper Care,2026-10-06,paper,fft,fft,excellent,,r2
Paper Care,10/06/2026,paper,fft,fft,good,,r3
Paper Care,2026-10-06,pigeon,fft,fft,good,,r4
Paper Care,2026-10-06,paper,nosuch,fft,good,,r5
Paper Care,2026-10-06,paper,fft,nosuch,good,,r6
,2026-10-06,paper,fft,fft,good,,r7
Paper Care,2026-12-25,paper,fft,fft,good,,r8
Paper Care,2026-10-07,telephone,homecare_monthly,punctuality,usually,,r9
Paper Care,2026-10-07,telephone,fft,fft,poor,,
Paper Care,2026-10-07,telephone,fft,fft,poor,,
Paper Care,2026-10-05,paper,fft,fft,good,,r1
"""


def run(engine: Engine, text: str, **options: bool) -> ImportResult:
    """These files bring their own provider, so new providers are allowed unless said."""
    options.setdefault("create_providers", True)
    with transaction(engine) as session:
        return import_answers(
            session, io.StringIO(text), FLOWS, DefaultTextAnalysis(), AT, **options
        )


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_bad_rows_reported_with_exact_line_numbers(db_engine: Engine) -> None:
    result = run(db_engine, GOOD_AND_BAD)
    problems = {p.line: p.reason for p in result.problems}
    assert sorted(problems) == [5, 6, 7, 8, 9, 10, 11, 15]  # the quoted text spans lines 3–4
    assert "'excellent' is not an option" in problems[5]
    assert "not YYYY-MM-DD" in problems[6]
    assert "unknown channel 'pigeon'" in problems[7]
    assert "unknown flow 'nosuch'" in problems[8]
    assert "no question 'nosuch'" in problems[9]
    assert "provider" in problems[10]
    assert "in the future" in problems[11]
    assert "already answered 'fft'" in problems[15]
    assert result.imported == 5
    assert result.providers_created == ["Paper Care"]


def test_import_is_idempotent(db_engine: Engine) -> None:
    run(db_engine, GOOD_AND_BAD)
    before = (count(db_engine, Answer), count(db_engine, Conversation), count(db_engine, Provider))
    again = run(db_engine, GOOD_AND_BAD)
    assert again.imported == 0
    assert again.already == 5
    assert (
        count(db_engine, Answer),
        count(db_engine, Conversation),
        count(db_engine, Provider),
    ) == before


def test_identical_rows_without_respondent_are_two_people(db_engine: Engine) -> None:
    run(db_engine, GOOD_AND_BAD)
    with Session(db_engine) as session:
        poor = session.exec(select(Answer).where(Answer.value == "poor")).all()  # type: ignore[arg-type]
    assert len(poor) == 2
    assert poor[0].conversation_id != poor[1].conversation_id


def test_a_corrected_file_adds_only_the_fixed_rows(db_engine: Engine) -> None:
    run(db_engine, GOOD_AND_BAD)
    fixed = run(db_engine, GOOD_AND_BAD.replace("excellent", "very_good"))
    assert fixed.imported == 1
    assert fixed.already == 5


def test_imported_answers_feed_the_report(db_engine: Engine) -> None:
    run(db_engine, GOOD_AND_BAD)
    report = provider_report(db_engine, "paper care", "2026-10")
    fft = next(i for i in report.indicators if i.indicator == "fft")
    # very good (r1) and two poor: 3 answers, a suppressed cell.
    assert fft.suppressed
    assert report.respondents is None
    with Session(db_engine) as session:
        answer = session.exec(select(Answer).where(Answer.question_id == "fft_why")).one()
    assert answer.reporting_month == "2026-10"
    assert (answer.value, answer.raw_text) == (None, "Lovely staff,\nalways on time")
    assert answer.channel == "paper"


def test_imported_disclosure_is_flagged(db_engine: Engine) -> None:
    text = (
        "provider,date,channel,flow,question,value,text\n"
        "Paper Care,2026-10-05,paper,fft,fft_why,,He hits me when nobody is looking\n"
    )
    result = run(db_engine, text)
    assert result.flagged == 1
    with Session(db_engine) as session:
        flag = session.exec(select(SafeguardingFlag)).one()
        answer = session.exec(select(Answer)).one()
    assert flag.source == "import"
    assert flag.status == "open"
    assert answer.flags


def test_missing_columns_stop_the_import(db_engine: Engine) -> None:
    with pytest.raises(CsvHeaderError, match="line 1: the header needs the columns flow"):
        run(db_engine, "provider,date,channel,question,value\n")


ONE_ROW = (
    "provider,date,channel,flow,question,value,text,respondent\n"
    "{},2026-10-05,paper,fft,fft,good,,r1\n"
)


def _add_provider(engine: Engine, name: str) -> None:
    with transaction(engine) as session:
        session.add(Provider(name=name, created_at=AT))


def test_a_near_miss_is_not_a_new_provider(db_engine: Engine) -> None:
    _add_provider(db_engine, "Sunrise Care")
    _add_provider(db_engine, "Meadow Homecare")
    result = run(db_engine, ONE_ROW.format("Sunrise Care Ltd"), create_providers=False)
    assert result.imported == 0
    assert [str(p) for p in result.problems] == [
        "line 2: no provider called 'Sunrise Care Ltd': did you mean 'Sunrise Care'? "
        "(add it first, or allow new providers)"
    ]
    assert result.unknown_providers == {"Sunrise Care Ltd": "Sunrise Care"}
    assert result.providers_created == []
    assert count(db_engine, Provider) == 2
    assert count(db_engine, Answer) == 0


def test_an_unknown_provider_with_no_near_name_gets_no_guess(db_engine: Engine) -> None:
    _add_provider(db_engine, "Sunrise Care")
    result = run(db_engine, ONE_ROW.format("Acme Domiciliary"), create_providers=False)
    assert result.unknown_providers == {"Acme Domiciliary": None}
    assert "did you mean" not in str(result.problems[0])


def test_create_providers_adds_it(db_engine: Engine) -> None:
    _add_provider(db_engine, "Sunrise Care")
    result = run(db_engine, ONE_ROW.format("Sunrise Care Ltd"), create_providers=True)
    assert (result.imported, result.providers_created) == (1, ["Sunrise Care Ltd"])
    assert count(db_engine, Provider) == 2


def test_a_known_provider_matches_whatever_its_case(db_engine: Engine) -> None:
    _add_provider(db_engine, "Sunrise Care")
    result = run(db_engine, ONE_ROW.format("SUNRISE CARE"), create_providers=False)
    assert (result.imported, result.problems) == (1, [])


def test_dry_run_reports_and_keeps_nothing(db_engine: Engine) -> None:
    result = run(db_engine, GOOD_AND_BAD, dry_run=True)
    assert result.dry_run
    assert result.imported == 5
    assert result.providers_created == ["Paper Care"]
    assert sorted(p.line for p in result.problems) == [5, 6, 7, 8, 9, 10, 11, 15]
    for model in (Provider, Answer, Conversation, SafeguardingFlag):
        assert count(db_engine, model) == 0
    # ...and the real import afterwards is not mistaken for a repeat.
    assert run(db_engine, GOOD_AND_BAD).imported == 5


def test_a_semicolon_file_gets_a_hint(db_engine: Engine) -> None:
    with pytest.raises(CsvHeaderError, match="separated by semicolons, not commas"):
        run(db_engine, "provider;date;channel;flow;question;value\n")

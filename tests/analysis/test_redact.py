"""Redaction: realistic UK personal details are removed; unsafe quotes are refused."""

from __future__ import annotations

import pytest

from analysis.redact import find, redact

CASES: list[tuple[str, str]] = [
    ("Ring me on 07700 900123 any time", "Ring me on [PHONE] any time"),
    ("Ring me on 07700900123 any time", "Ring me on [PHONE] any time"),
    ("or +44 7700 900 123 after six", "or [PHONE] after six"),
    ("or +44 (0)161 496 0000 after six", "or [PHONE] after six"),
    ("office on (0161) 496 0000 never answers", "office on [PHONE] never answers"),
    ("call 020 7946 0958 and ask", "call [PHONE] and ask"),
    ("email jo.bloggs+care@example.co.uk please", "email [EMAIL] please"),
    ("we moved to LS1 4AB last year", "we moved to [POSTCODE] last year"),
    ("we moved to m14 6hr last year", "we moved to [POSTCODE] last year"),
    ("she lives at 12 Acacia Avenue with her son", "she lives at [ADDRESS] with her son"),
    ("visits to Flat 3, 27b Mill Lane are late", "visits to [ADDRESS] are late"),
    ("the carer from Elm Road was late", "the carer from [ADDRESS] was late"),
    ("his date of birth is 03/04/1948 as they know", "his date of birth is [DATE] as they know"),
    # A place of birth beside a date identifies; places are over-redacted on purpose.
    ("born on 3rd March 1948 in Leeds", "born on [DATE] in [NAME]"),
    # Names in no list: capitalised mid-sentence and not an English word, or only a proper noun.
    ("Tracy and Bev are the best carers", "[NAME] and [NAME] are the best carers"),
    ("the new girl Aisha was rude", "the new girl [NAME] was rude"),
    ("thanks to Kelly and the team", "thanks to [NAME] and the team"),
    ("on March 3, 1948 she was born", "on [DATE] she was born"),
    ("my NHS number 943 476 5919 was wrong", "my NHS number [NHS NUMBER] was wrong"),
    ("my NHS number 9434765919 was wrong", "my NHS number [NHS NUMBER] was wrong"),
    ("Mrs Patel was so kind to me", "Mrs [NAME] was so kind to me"),
    ("Dr. Hughes explained everything clearly", "Dr. [NAME] explained everything clearly"),
    ("my carer Sarah is always on time", "my carer [NAME] is always on time"),
    ("our carer Will is kind to mum", "our carer [NAME] is kind to mum"),
    ("the nurse called Bukola was lovely", "the nurse called [NAME] was lovely"),
    ("I think Sarah Jones deserves an award", "I think [NAME] deserves an award"),
    ("and sarah always has time for a chat", "and [NAME] always has time for a chat"),
    ("Mohammed and Priya are the best carers", "[NAME] and [NAME] are the best carers"),
]

UNCHANGED = [
    "Will you please come earlier in the morning?",
    "The visit in May was better than June",
    "Waited 3 hours for the ambulance",
    "Two days in a row they were late",
    "The paramedics were brilliant, thank you",
    "Rated 10 out of 10",
    "Mark my words, it will get worse",
    "Yes the carers are great",
    "Covid made it hard and the NHS staff on Monday were kind",
    "The Ambulance crew were quick",
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_personal_details_are_redacted(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_ordinary_words_are_left_alone(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Redaction is what is tested here: whether the detector holds a quote back for triage is
    # tested with the detector (a model false alarm such as "Mark my words, it will get worse"
    # holds that quote back, which is the safe side).
    monkeypatch.setenv("CAREVOICE_SAFEGUARDING_MODEL", "off")
    result = redact(text)
    assert (result.text, result.safe, result.redactions) == (text, True, ())


def test_redactions_record_kind_and_original() -> None:
    (item,) = find("text 07700 900123")
    assert (item.kind, item.original) == ("PHONE", "07700 900123")


def test_quote_that_is_mostly_personal_details_is_not_safe() -> None:
    result = redact("Sarah Jones 07700 900123")
    assert not result.safe
    assert "personal details" in str(result.reason)
    assert redact("Sarah was brilliant with dad, so patient").safe


def test_possible_safeguarding_disclosure_is_never_safe_to_quote() -> None:
    result = redact("My carer Tom shouts at me")
    assert result.text == "My carer [NAME] shouts at me"
    assert not result.safe
    assert "safeguarding" in str(result.reason)


def test_empty_text_is_safe() -> None:
    assert redact("") == redact("")
    assert redact("").safe

"""Text analysis is bounded: a megabyte of free text is analysed by its beginning only."""

from __future__ import annotations

from bot.surveys.text_analysis import MAX_ANALYSED, MAX_SAFEGUARDED, DefaultTextAnalysis

MEGABYTE = 1_000_000


def test_a_huge_answer_is_annotated_by_its_first_characters() -> None:
    analysis = DefaultTextAnalysis()
    start = "The carers are always late and nobody answers the phone. "
    huge = (start * (MEGABYTE // len(start) + 1))[:MEGABYTE]
    assert analysis.annotate(huge, None) == analysis.annotate(huge[:MAX_ANALYSED], None)


def test_a_disclosure_in_a_long_text_is_still_found() -> None:
    analysis = DefaultTextAnalysis()
    filler = "The garden was nice. " * (MEGABYTE // 21)
    disclosure = "I don't feel safe with him, he hits me. "
    text = filler[: MAX_SAFEGUARDED - 200] + disclosure + filler
    assert analysis.concerns(text)
    assert analysis.concerns(text) == analysis.concerns(text[:MAX_SAFEGUARDED])

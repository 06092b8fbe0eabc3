"""A quote under a theme reads as being about that theme, even when the stored tag is stale."""

from __future__ import annotations

from reports.queries import FreeTextRow
from reports.quotes import quotes_for


def _row(
    number: int, text: str, themes: tuple[str, ...], sentiment: str = "positive"
) -> FreeTextRow:
    return FreeTextRow(number, 1, text, sentiment, themes, held=False)


def test_a_stale_tag_does_not_put_a_quote_under_the_wrong_theme() -> None:
    # Tagged when "rush*" was a punctuality keyword; today's lexicon files it elsewhere.
    rows = [
        _row(1, "They listen to me and never rush", ("punctuality", "staff_attitude")),
        _row(2, "Carers always arrive on time", ("punctuality",)),
    ]
    assert quotes_for(rows, "punctuality", 3) == ["Carers always arrive on time"]
    assert quotes_for(rows, "staff_attitude", 3) == ["They listen to me and never rush"]


def test_a_commissioners_own_theme_keeps_its_stored_tag() -> None:
    rows = [_row(1, "The minibus driver was brilliant", ("transport_local",))]
    assert quotes_for(rows, "transport_local", 3) == ["The minibus driver was brilliant"]

"""Quotes a report may show: redacted, and never from anything held for safeguarding.

A comment is quotable only when (1) neither it nor anything else in its conversation raised a
safeguarding flag — any flag, whatever its triage status, because a published disclosure cannot
be taken back — and (2) ``analysis.redact`` calls the redacted text safe. Callers never ask for
quotes from a suppressed cell.

A quote shown under a theme must read as being about it, so the words that put it there must
still be in the quoted (redacted) text under today's theme lexicon: themes are stored when an
answer arrives, and a lexicon fixed since then (or redaction removing the matched words) would
otherwise print "Punctuality: They listen to me and never rush".
"""

from __future__ import annotations

from functools import cache, lru_cache

from analysis.redact import redact
from analysis.safeguarding import model_mode
from analysis.themes import default_themes, tag
from reports.queries import FreeTextRow

# Balance: one of each sentiment before a second of any, so three quotes are not all praise.
_SENTIMENT_ORDER = ("negative", "positive", "neutral", None)


def quotes_for(rows: list[FreeTextRow], theme: str, limit: int) -> list[str]:
    by_sentiment: dict[str | None, list[str]] = {key: [] for key in _SENTIMENT_ORDER}
    for row in rows:
        if theme not in row.themes or row.held:
            continue
        key = row.sentiment if row.sentiment in by_sentiment else None
        pool = by_sentiment[key]
        # Redaction is the slow part: stop once every sentiment has enough to choose from.
        text = safe_text(row.text) if len(pool) < limit else None
        if text and text not in pool and _fits(text, theme):
            pool.append(text)
        if all(len(pool) >= limit for pool in by_sentiment.values()):
            break
    chosen: list[str] = []
    while len(chosen) < limit and any(by_sentiment.values()):
        for sentiment in _SENTIMENT_ORDER:
            pool = by_sentiment[sentiment]
            if pool and len(chosen) < limit:
                text = pool.pop(0)
                if text not in chosen:
                    chosen.append(text)
    return chosen


def _fits(text: str, theme: str) -> bool:
    # A theme from a commissioner's own file is not in the packaged lexicon: trust its tag.
    return theme not in theme_labels() or theme in _tags(text)


@lru_cache(maxsize=2048)
def _tags(text: str) -> tuple[str, ...]:
    return tag(text)


def safe_text(text: str) -> str | None:
    """``text`` redacted for showing, or None when it may not be shown (a possible disclosure,
    or nothing left once redacted)."""
    return _safe_text(text, model_mode())


# A comment tagged with several themes is redacted once; keyed by the detector's setting too,
# because what it holds back depends on it.
@lru_cache(maxsize=2048)
def _safe_text(text: str, _mode: str) -> str | None:
    result = redact(text)
    return result.text.strip() if result.safe and result.text.strip() else None


@cache
def theme_labels() -> dict[str, str]:
    return {theme.id: theme.label for theme in default_themes()}


def theme_label(theme: str) -> str:
    return theme_labels().get(theme, theme.replace("_", " ").capitalize())

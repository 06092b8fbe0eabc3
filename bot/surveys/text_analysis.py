"""The runner's view of text analysis: safeguarding on every message, sentiment and themes on
free-text answers. A seam (``TextAnalysis``) so the runner does not know how analysis works."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from analysis import safeguarding, sentiment, themes


@dataclass(frozen=True)
class Annotation:
    sentiment: str | None = None
    sentiment_score: float | None = None
    themes: tuple[str, ...] = ()


class TextAnalysis(Protocol):
    def concerns(self, text: str) -> tuple[str, ...]:
        """Safeguarding categories a message may disclose (empty when none)."""
        ...

    def annotate(self, text: str, purpose: str | None) -> Annotation:
        """Sentiment and themes of one free-text answer."""
        ...


class DefaultTextAnalysis:
    """Rule-first safeguarding, the trained sentiment model (or CAREVOICE_SENTIMENT's engine),
    and the packaged contract-review themes."""

    def concerns(self, text: str) -> tuple[str, ...]:
        return safeguarding.check(text).categories

    def annotate(self, text: str, purpose: str | None) -> Annotation:
        result = sentiment.classify(text, purpose)
        return Annotation(result.label, result.score, themes.tag(text))

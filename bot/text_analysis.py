"""The runner's view of text analysis: safeguarding on every message, sentiment and themes on
free-text answers. A seam (``TextAnalysis``) so the runner does not know how analysis works."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from analysis import safeguarding


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
    """Rule-first safeguarding from ``analysis.safeguarding``."""

    def concerns(self, text: str) -> tuple[str, ...]:
        return safeguarding.check(text).categories

    def annotate(self, text: str, purpose: str | None) -> Annotation:
        return Annotation()

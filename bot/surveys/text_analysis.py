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


@dataclass(frozen=True)
class FlagDetail:
    """How a text flag was raised: the detector's layer, the model's score and the band."""

    layer: str | None = None  # rules | model | both
    model_score: float | None = None
    band: str | None = None  # likely | possible


class TextAnalysis(Protocol):
    def concerns(self, text: str, *, answer: bool = False) -> tuple[str, ...]:
        """Safeguarding categories a message may disclose (empty when none). ``answer``: the
        text is word for word an option of the question it answers."""
        ...

    def detail(self, text: str) -> FlagDetail:
        """Which layer flagged ``text``, with what score and in which band."""
        ...

    def annotate(self, text: str, purpose: str | None) -> Annotation:
        """Sentiment and themes of one free-text answer."""
        ...


# Analysis time grows faster than the text (measured: 10,000 characters 0.4 s for safeguarding,
# 50,000 over 2.5 s; a 1 MB answer took seconds more). Real answers are far shorter. A longer one
# is stored whole and only its beginning analysed: safeguarding reads more than sentiment,
# because a missed disclosure is the worst failure; 10,000 covers every text a carrier sends.
MAX_ANALYSED = 5_000
MAX_SAFEGUARDED = 10_000


class DefaultTextAnalysis:
    """Safeguarding by rules OR the contextual model, the trained sentiment model (or
    CAREVOICE_SENTIMENT's engine), and the packaged contract-review themes, on bounded text."""

    def concerns(self, text: str, *, answer: bool = False) -> tuple[str, ...]:
        return safeguarding.check(text[:MAX_SAFEGUARDED], answer=answer).categories

    def detail(self, text: str) -> FlagDetail:
        # The encoder caches the message's embedding, so asking again after concerns() is cheap.
        result = safeguarding.check(text)
        return FlagDetail(result.layer or None, result.model_score, result.band or None)

    def annotate(self, text: str, purpose: str | None) -> Annotation:
        text = text[:MAX_ANALYSED]
        result = sentiment.classify(text, purpose)
        return Annotation(result.label, result.score, themes.tag(text))

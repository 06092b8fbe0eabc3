"""Sentiment of a free-text answer, read in the light of the question it answers.

``classify("Nothing", "could_improve")`` is positive; ``classify("Nothing", "what_good")`` is
negative. The default engine, ``model``, is carevoice's numpy model (TF-IDF and dense features,
``analysis/data/sentiment_model.npz``). ``encoder`` is a head on the contextual sentence
encoder's embeddings plus the question's purpose and the same dense cues (``analysis.contextual``,
trained by ``python -m analysis.train encoder``): its cross-validated macro-F1 is only slightly
higher and it still misreads "Nothing" answering "what was good?", so it is not yet the default.
TextBlob and VADER remain baselines. Choose with
``CAREVOICE_SENTIMENT=model|encoder|textblob|vader``; the lexicon engines read the words alone
and ignore the question.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal, cast

from analysis.features import PURPOSES, featurise, words
from analysis.memory import give_back_freed_memory
from analysis.model import CLASSES, SentimentModel, load_packaged_model

Label = Literal["positive", "neutral", "negative"]
Engine = Literal["encoder", "model", "textblob", "vader"]
ENGINES: tuple[Engine, ...] = ("encoder", "model", "textblob", "vader")
ENV_VAR = "CAREVOICE_SENTIMENT"
# The conventional ±0.05 polarity band for lexicon engines (VADER's own recommendation).
_LEXICON_BAND = 0.05


@dataclass(frozen=True)
class SentimentResult:
    """``score`` runs from -1 (surely negative) to +1 (surely positive)."""

    label: Label
    score: float
    engine: Engine


def engine_from_env() -> Engine:
    """The engine named by ``CAREVOICE_SENTIMENT`` (default: the numpy model)."""
    value = os.environ.get(ENV_VAR, "model").strip().lower() or "model"
    for engine in ENGINES:
        if value == engine:
            return engine
    raise ValueError(f"{ENV_VAR}={value!r}: expected one of {', '.join(ENGINES)}")


@cache
def model() -> SentimentModel:
    loaded = load_packaged_model()
    give_back_freed_memory()
    return loaded


def _purpose(purpose: str | None) -> str | None:
    if purpose is None or purpose == "":
        return None
    if purpose not in PURPOSES:
        raise ValueError(f"unknown question purpose {purpose!r}: expected one of {PURPOSES}")
    return purpose


def _by_model(text: str, purpose: str | None) -> SentimentResult:
    if not words(text):
        return SentimentResult("neutral", 0.0, "model")  # nothing to read
    shipped = model()
    # No question context: the model's purpose-free reading (it was trained on both).
    probabilities = shipped.probabilities(featurise(text, purpose or "none"))
    label = cast(Label, shipped.decide(probabilities))
    score = float(probabilities[CLASSES.index("positive")] - probabilities[0])
    return SentimentResult(label, round(score, 4), "model")


def _by_encoder(texts: Sequence[str], purposes: Sequence[str | None]) -> list[SentimentResult]:
    from analysis import contextual

    readable = [i for i, t in enumerate(texts) if words(t)]
    results = [SentimentResult("neutral", 0.0, "encoder")] * len(texts)  # nothing to read
    if not readable:
        return results
    probabilities = contextual.sentiment_probabilities(
        [texts[i] for i in readable], [purposes[i] or "none" for i in readable]
    )
    head = contextual.sentiment()
    for i, row in zip(readable, probabilities, strict=True):
        label = cast(Label, CLASSES[head.decide(row)])
        score = float(row[CLASSES.index("positive")] - row[0])
        results[i] = SentimentResult(label, round(score, 4), "encoder")
    return results


def _band(score: float) -> Label:
    if score >= _LEXICON_BAND:
        return "positive"
    return "negative" if score <= -_LEXICON_BAND else "neutral"


@cache
def _vader_analyzer() -> object:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _by_vader(text: str) -> SentimentResult:
    analyzer = _vader_analyzer()
    score = float(analyzer.polarity_scores(text)["compound"])  # type: ignore[attr-defined]
    return SentimentResult(_band(score), round(score, 4), "vader")


def _by_textblob(text: str) -> SentimentResult:
    # Imported on first use: TextBlob (via NLTK) takes about a second to import.
    from textblob import TextBlob

    score = float(TextBlob(text).sentiment.polarity)
    return SentimentResult(_band(score), round(score, 4), "textblob")


def classify(
    text: str, purpose: str | None = None, engine: Engine | None = None
) -> SentimentResult:
    """Sentiment of ``text``; ``purpose`` is the question's (what_good, could_improve,
    nonspecific) or None when unknown. ``engine`` defaults to ``CAREVOICE_SENTIMENT``."""
    chosen = engine or engine_from_env()
    if chosen == "textblob":
        return _by_textblob(text)
    if chosen == "vader":
        return _by_vader(text)
    if chosen == "encoder":
        return _by_encoder([text], [_purpose(purpose)])[0]
    return _by_model(text, _purpose(purpose))


def classify_many(
    texts: Sequence[str],
    purposes: Sequence[str | None] | str | None = None,
    engine: Engine | None = None,
) -> list[SentimentResult]:
    """Classify many answers; ``purposes`` is one purpose for all, or one per text."""
    if purposes is None or isinstance(purposes, str):
        each: Sequence[str | None] = [purposes] * len(texts)
    else:
        each = purposes
    if len(each) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(each)} purposes")
    chosen = engine or engine_from_env()
    if chosen == "encoder":  # in batches: the encoder is much faster that way
        return _by_encoder(texts, [_purpose(p) for p in each])
    return [classify(text, purpose, chosen) for text, purpose in zip(texts, each, strict=True)]

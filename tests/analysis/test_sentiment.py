"""Sentiment: question context, criticism without negative words, engines, the model file."""

from __future__ import annotations

import pytest

from analysis import sentiment
from analysis.errors import DataFileError
from analysis.model import read_model


@pytest.mark.parametrize(
    ("text", "purpose", "label"),
    [
        ("Nothing", "could_improve", "positive"),
        ("Nothing really", "could_improve", "positive"),
        ("Nothing", "what_good", "negative"),
        ("Answer the phone quicker", None, "negative"),
        ("Answer the phone quicker", "could_improve", "negative"),
        ("More parking please", None, "negative"),
        ("Waited four hours for an ambulance, not good enough", "nonspecific", "negative"),
        ("Staff were rude and did not listen", None, "negative"),
        ("Lovely staff, very kind and caring", "what_good", "positive"),
        ("Excellent service, the crew were brilliant", None, "positive"),
        ("Always on time and very friendly", "could_improve", "positive"),
    ],
)
def test_reads_answers_in_context(text: str, purpose: str | None, label: str) -> None:
    assert sentiment.classify(text, purpose).label == label


def test_score_runs_from_negative_to_positive() -> None:
    good = sentiment.classify("Brilliant care, thank you so much", "what_good")
    bad = sentiment.classify("Terrible, nobody answered for hours", "nonspecific")
    assert -1.0 <= bad.score < 0 < good.score <= 1.0


def test_empty_answer_is_neutral() -> None:
    assert sentiment.classify("   ") == sentiment.SentimentResult("neutral", 0.0, "model")


def test_unknown_purpose_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown question purpose"):
        sentiment.classify("fine", "how_was_it")


def test_batch_matches_single_and_checks_lengths() -> None:
    texts = ["Nothing", "Nothing", "Rude receptionist"]
    purposes = ["could_improve", "what_good", None]
    batch = sentiment.classify_many(texts, purposes)
    assert batch == [sentiment.classify(t, p) for t, p in zip(texts, purposes, strict=True)]
    assert [r.label for r in sentiment.classify_many(["Nothing"], "what_good")] == ["negative"]
    with pytest.raises(ValueError, match="2 texts but 1 purposes"):
        sentiment.classify_many(["a", "b"], ["what_good"])


@pytest.mark.parametrize("engine", ["textblob", "vader"])
def test_lexicon_engines_are_selectable_by_environment(
    monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    monkeypatch.setenv("CAREVOICE_SENTIMENT", engine)
    result = sentiment.classify("What a wonderful, lovely service")
    assert (result.engine, result.label) == (engine, "positive")
    # The lexicon engines miss criticism that has no negative words: why they are baselines.
    assert sentiment.classify("Answer the phone quicker").label != "negative"


def test_unknown_engine_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREVOICE_SENTIMENT", "bert")
    with pytest.raises(ValueError, match="CAREVOICE_SENTIMENT='bert'"):
        sentiment.classify("ok")


def test_shipped_model_records_how_it_was_made() -> None:
    meta = sentiment.model().meta
    assert meta["training_data"]["file"] == "nhs_fft_train.csv"
    assert meta["cross_validation"]["three_class"]["negative_recall"] > 0.8
    assert 0 < sentiment.model().negative_threshold < 0.5


def test_model_file_that_is_not_a_model_is_a_data_file_error() -> None:
    with pytest.raises(DataFileError, match="not a valid sentiment model"):
        read_model(b"not a zip", "bad.npz")

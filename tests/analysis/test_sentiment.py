"""Sentiment: question context, criticism without negative words, engines, the model file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from analysis import features, sentiment
from analysis.errors import DataFileError
from analysis.features import DENSE_NAMES
from analysis.model import read_model
from analysis.train import write_model


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
    assert sentiment.classify("   ", engine="encoder") == sentiment.SentimentResult(
        "neutral", 0.0, "encoder"
    )


def test_encoder_engine_is_selectable_and_batches_like_single(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAREVOICE_SENTIMENT", "encoder")
    result = sentiment.classify("Staff were rude and did not listen")
    assert (result.engine, result.label) == ("encoder", "negative")
    assert sentiment.classify("Excellent service, the crew were brilliant").label == "positive"
    texts = ["Rude receptionist", "Lovely staff", ""]
    assert sentiment.classify_many(texts) == [sentiment.classify(t) for t in texts]


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


def _mixed(text: str) -> dict[str, float]:
    tokens = features.words(text)
    dense = features.dense_features(text, tokens, "nonspecific")
    assert len(dense) == len(DENSE_NAMES)
    return dict(zip(DENSE_NAMES, dense, strict=True))


def test_mixed_comment_cues() -> None:
    mixed = _mixed("The crew were lovely. The wait was terrible though.")
    assert mixed["sentence_max"] > 0.05 > -0.05 > mixed["sentence_min"]
    assert mixed["mixed_sentences"] == mixed["contrast"] == 1.0
    assert mixed["no_lexicon_words"] == 0.0
    praise = _mixed("Lovely crew. Very kind.")
    assert praise["mixed_sentences"] == praise["contrast"] == 0.0
    both = _mixed("Kind staff but awful food")
    assert both["vader_pos_and_neg"] == both["contrast"] == 1.0


def test_factual_answer_has_no_lexicon_words() -> None:
    factual = _mixed("Neighbour phoned for me")
    assert factual["no_lexicon_words"] == 1.0
    assert factual["sentence_max"] == factual["sentence_min"] == 0.0


def test_model_file_with_other_dense_features_is_refused(tmp_path: Path) -> None:
    shipped = sentiment.model()
    same, shorter = tmp_path / "same.npz", tmp_path / "old.npz"
    write_model(shipped, shipped.meta, same)
    assert read_model(same.read_bytes()).dense_mean.size == len(DENSE_NAMES)
    old = replace(shipped, dense_mean=shipped.dense_mean[:-1], dense_scale=shipped.dense_scale[:-1])
    write_model(old, shipped.meta, shorter)
    with pytest.raises(DataFileError, match="dense features"):
        read_model(shorter.read_bytes(), str(shorter))

"""Turning a comment, and the purpose of the question it answers, into model features.

The same code builds features for training (``analysis.train``) and for scoring
(``analysis.sentiment``), so the shipped model sees exactly what it was trained on. Everything
here is plain Python: token lists for the TF-IDF blocks and a short vector of dense features.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

PURPOSES = ("what_good", "could_improve", "nonspecific")
NO_PURPOSE = "none"  # the question is unknown: read the words alone

_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4]")
_WORD = re.compile(r"[a-z0-9]+")
_DIGITS = re.compile(r"[0-9]+")
# Sentence and clause breaks, for reading each part of a comment on its own.
_SENTENCES = re.compile(r"[.!?;\n]+|\s+-\s+")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that carry criticism without negative sentiment: "answer the phone quicker".
SUGGESTION = _word_set(
    "could should would more less quicker faster sooner better improve improved improvement "
    "improvements need needs needed wish please maybe perhaps if only but however although "
    "though except apart shame pity wait waiting waited long longer late delay delayed hours "
    "hour minutes ages lack shorter earlier"
)
NEGATORS = _word_set(
    "not no never nothing none nobody cant couldnt didnt dont doesnt wasnt werent wont "
    "wouldnt isnt arent havent hasnt hadnt shouldnt without"
)
# An answer that says "nothing": praise after "what could we do better?", criticism after
# "what was good?". Compared with the whole answer, so "nothing was too much trouble" is not one.
NOTHING_ANSWERS = frozenset(
    [
        "nothing",
        "none",
        "no",
        "nil",
        "na",
        "n a",
        "not really",
        "nothing really",
        "nothing else",
        "no comment",
        "no comments",
        "not applicable",
        "nothing at all",
        "nothing to add",
        "nothing i can think of",
        "cant think of anything",
        "not sure",
        "nothing comes to mind",
        "none really",
        "no nothing",
        "nothing thank you",
        "nothing thanks",
        "no thank you",
        "none thank you",
        "all good",
        "nothing to improve",
        "no improvement needed",
        "no improvements needed",
        "nothing needed",
        "nothing more",
        "dont know",
        "no idea",
    ]
)
# Words that turn a comment from praise to criticism or back: the mark of a mixed comment.
CONTRAST = _word_set(
    "but however although though except apart whilst while otherwise only shame pity "
    "unfortunately sadly"
)
IMPERATIVES = _word_set(
    "answer get be have make stop start improve provide give try keep listen send reduce cut "
    "employ hire recruit train ensure allow let ask tell explain check call ring reply respond "
    "speed use offer put take increase update change do see treat contact"
)


def words(text: str) -> list[str]:
    """Lower-case word tokens with apostrophes dropped ("don't" → "dont"), digits as 0."""
    return _WORD.findall(_DIGITS.sub("0", _APOSTROPHES.sub("", text.lower())))


def word_tokens(tokens: Sequence[str], purpose: str) -> list[str]:
    """Unigrams, bigrams and purpose-crossed unigrams (the same word reads differently by
    question), plus the whole of a short answer crossed with the purpose."""
    grams = list(tokens)
    grams.extend(f"{a} {b}" for a, b in pairwise(tokens))
    if purpose != NO_PURPOSE:
        grams.extend(f"{purpose}|{t}" for t in tokens)
        if len(tokens) <= 4:
            grams.append(f"{purpose}|={' '.join(tokens)}")
    grams.append(f"{purpose}|len{min(len(tokens), 8)}")
    return grams


def char_tokens(tokens: Sequence[str]) -> list[str]:
    """Character 2–5-grams within space-padded words (scikit-learn's ``char_wb`` shape), which
    survive misspellings and run-together words."""
    grams: list[str] = []
    for token in tokens:
        padded = f" {token} "
        size = len(padded)
        for n in range(2, 6):
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
            if n >= size:
                break
    return grams


@cache
def _vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


DENSE_NAMES = (
    "vader_compound", "vader_pos", "vader_neg", "vader_neu", "suggestion_rate", "negator_rate",
    "log_length", "starts_imperative", "nothing_answer", "question_mark",
    *(f"purpose_{p}" for p in (*PURPOSES, NO_PURPOSE)),
    *(f"nothing_x_{p}" for p in PURPOSES),
    *(f"compound_x_{p}" for p in PURPOSES),
    *(f"suggestion_x_{p}" for p in PURPOSES),
    "sentence_max", "sentence_min", "mixed_sentences", "vader_pos_and_neg", "contrast",
    "no_lexicon_words",
)  # fmt: skip


@dataclass(frozen=True)
class Features:
    word: list[str]
    char: list[str]
    dense: list[float]


def dense_features(text: str, tokens: Sequence[str], purpose: str) -> list[float]:
    scores = _vader().polarity_scores(text)
    count = max(len(tokens), 1)
    suggestion = sum(t in SUGGESTION for t in tokens) / count**0.5
    nothing = float(" ".join(tokens) in NOTHING_ANSWERS)
    compound = scores["compound"]
    base = [
        compound, scores["pos"], scores["neg"], scores["neu"], suggestion,
        sum(t in NEGATORS for t in tokens) / count**0.5,
        len(tokens) ** 0.5 / 4, float(bool(tokens) and tokens[0] in IMPERATIVES),
        nothing, float("?" in text),
    ]  # fmt: skip
    onehot = [float(purpose == p) for p in (*PURPOSES, NO_PURPOSE)]
    crossed = [v * (purpose == p) for v in (nothing, compound, suggestion) for p in PURPOSES]
    return base + onehot + crossed + mixed_features(text, tokens, scores)


def mixed_features(text: str, tokens: Sequence[str], scores: dict[str, float]) -> list[float]:
    """Cues of a mixed comment (praise and criticism together, "lovely staff but a long
    wait"): the most positive and most negative sentence by VADER, whether both kinds occur,
    positive and negative words in one comment, a contrast word; and whether the comment has
    no sentiment-bearing word at all (factual answers are often neutral)."""
    parts = [p for p in _SENTENCES.split(text) if _WORD.search(p.lower())]
    if len(parts) > 1:
        compounds = [_vader().polarity_scores(p)["compound"] for p in parts]
    else:
        compounds = [scores["compound"]]
    highest, lowest = max(compounds), min(compounds)
    lexicon = _vader().lexicon
    has_lexicon_word = any(lexicon.get(t, 0) != 0 for t in tokens)
    return [
        highest,
        lowest,
        float(highest > 0.05 and lowest < -0.05),
        float(scores["pos"] > 0 and scores["neg"] > 0),
        float(any(t in CONTRAST for t in tokens)),
        float(not has_lexicon_word),
    ]


def featurise(text: str, purpose: str) -> Features:
    if purpose not in PURPOSES:
        purpose = NO_PURPOSE
    tokens = words(text)
    return Features(
        word_tokens(tokens, purpose), char_tokens(tokens), dense_features(text, tokens, purpose)
    )

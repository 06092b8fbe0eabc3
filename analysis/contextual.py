"""The contextual model as safeguarding and sentiment use it: scores from encoder + heads.

Loaded once per process from the package (hashes checked, see ``analysis.encoder``). The
safeguarding score of a long text is the highest of its windows, so a disclosure at the end
of a long message of praise is not averaged away.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.encoder import default_contextual
from analysis.features import dense_features, words
from analysis.heads import SafeguardingHead, SentimentHead, safeguarding_head, sentiment_head

# Two Latin letters in a row: emoji, punctuation or stray symbols are not read as words,
# where the encoder's output is noise.
_READABLE = re.compile(r"[a-z]{2}")


@cache
def safeguarding() -> SafeguardingHead:
    return safeguarding_head(default_contextual().heads)


@cache
def sentiment() -> SentimentHead:
    return sentiment_head(default_contextual().heads)


def provenance() -> dict[str, Any]:
    return default_contextual().provenance


def disclosure_scores(texts: Sequence[str]) -> list[float]:
    """Probability of a disclosure for each text; 0 for a text with no word to read."""
    readable = [i for i, t in enumerate(texts) if _READABLE.search(t.lower())]
    scores = [0.0] * len(texts)
    if readable:
        head = safeguarding()
        windows = default_contextual().encoder.windows([texts[i] for i in readable])
        for i, matrix in zip(readable, windows, strict=True):
            scores[i] = round(float(head.probabilities(matrix).max()), 4)
    return scores


def disclosure_score(text: str) -> float:
    return disclosure_scores([text])[0]


def sentiment_probabilities(texts: Sequence[str], purposes: Sequence[str]) -> NDArray[np.float64]:
    """(negative, neutral, positive) per text; ``purposes`` as the numpy model's features."""
    dense = np.array(
        [dense_features(t, words(t), p) for t, p in zip(texts, purposes, strict=True)],
        dtype=np.float64,
    ).reshape(len(texts), -1)
    embeddings = default_contextual().encoder.embed(texts)
    return sentiment().probabilities(embeddings, dense)

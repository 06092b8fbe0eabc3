"""Fitting the heads on encoder embeddings, and estimating them by grouped cross-validation.

Safeguarding: logistic regression on the embedding. Its two thresholds come from out-of-fold
probabilities on the *training* data (folds grouped by writing batch): "possible concern" is the
highest threshold that still reaches the recall target, "likely disclosure" the lowest that
keeps false alarms on the hard negatives under a small rate. Validation files never enter here.

Sentiment: multinomial logistic regression on the embedding plus the numpy model's dense cues
(question purpose, VADER, "nothing" answers); every comment is seen with its question's purpose
and without, as the numpy model is trained. Needs scikit-learn (the ``train`` extra).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from analysis.features import NO_PURPOSE, dense_features, words
from analysis.heads import Dense, SafeguardingHead, SentimentHead, dense_arrays
from analysis.metrics import Scores, binary_scores, three_class_scores
from analysis.model import CLASSES

T = TypeVar("T")


def pick(items: Sequence[T], index: Iterable[int]) -> list[T]:
    return [items[i] for i in index]


Matrix = NDArray[np.float64]


@dataclass(frozen=True)
class HeadConfig:
    sg_c: float = 2.0
    sg_recall: float = 0.97  # out-of-fold recall the "possible concern" threshold must reach
    sg_likely_false_alarms: float = 0.03  # on hard negatives, for the "likely" band
    sent_c: float = 1.0
    sent_dense_weight: float = 0.3  # standardised cues, shrunk towards the embedding's scale
    negative_threshold: float = 0.33
    neutral_weight: float = 1.2
    folds: int = 5
    seed: int = 0


def _logistic(c: float, balanced: bool = True) -> Any:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    return LogisticRegression(
        C=c, max_iter=5000, class_weight="balanced" if balanced else None, random_state=0
    )


def fit_safeguarding(x: Matrix, y: NDArray[np.int_], config: HeadConfig) -> Dense:
    model = _logistic(config.sg_c).fit(x, y)
    return Dense((model.coef_.T.astype(np.float64),), (model.intercept_.astype(np.float64),))


def out_of_fold(
    x: Matrix, y: NDArray[np.int_], groups: Sequence[str], config: HeadConfig
) -> Matrix:
    """Out-of-fold disclosure probabilities, folds stratified and grouped by batch."""
    from sklearn.model_selection import StratifiedGroupKFold  # type: ignore[import-untyped]

    scores = np.zeros(len(y))
    splitter = StratifiedGroupKFold(config.folds, shuffle=True, random_state=config.seed)
    for train_idx, test_idx in splitter.split(x, y, groups):
        head = SafeguardingHead(fit_safeguarding(x[train_idx], y[train_idx], config), 0.5, 0.5)
        scores[test_idx] = head.probabilities(x[test_idx])
    return scores


def recall_threshold(scores: Matrix, positive: NDArray[np.bool_], recall: float) -> float:
    """The highest threshold at which at least ``recall`` of the positives score at or above."""
    ranked = np.sort(scores[positive])[::-1]
    index = min(int(np.ceil(recall * ranked.size)) - 1, ranked.size - 1)
    return float(ranked[max(index, 0)])


def false_alarm_threshold(scores: Matrix, negative: NDArray[np.bool_], rate: float) -> float:
    """The lowest threshold at which at most ``rate`` of the negatives score at or above."""
    ranked = np.sort(scores[negative])[::-1]
    allowed = int(np.floor(rate * ranked.size))
    return float(np.nextafter(ranked[allowed], 1.0)) if allowed < ranked.size else 0.0


def safeguarding_arrays(head: SafeguardingHead) -> dict[str, Any]:
    arrays = dense_arrays("sg", list(head.layers.weights), list(head.layers.biases))
    arrays["sg_possible"], arrays["sg_likely"] = np.array(head.possible), np.array(head.likely)
    if head.rule_veto:
        arrays["sg_rule_veto"] = np.array(head.rule_veto)
    return arrays


# Sentiment ---------------------------------------------------------------------------------


def sentiment_dense(texts: Sequence[str], purposes: Sequence[str]) -> Matrix:
    return np.array(
        [dense_features(t, words(t), p) for t, p in zip(texts, purposes, strict=True)],
        dtype=np.float64,
    )


def fit_sentiment(
    emb: Matrix, texts: Sequence[str], purposes: Sequence[str], labels: Sequence[str],
    config: HeadConfig,
) -> SentimentHead:  # fmt: skip
    """Fit on every comment twice, with its question's purpose and without any."""
    dense = np.vstack([sentiment_dense(texts, purposes),
                       sentiment_dense(texts, [NO_PURPOSE] * len(texts))])  # fmt: skip
    mean = dense.mean(axis=0)
    scale = (dense.std(axis=0) + 1e-6) / config.sent_dense_weight
    x = np.hstack([np.vstack([emb, emb]), (dense - mean) / scale])
    y = np.array([CLASSES.index(label) for label in labels] * 2)
    model = _logistic(config.sent_c).fit(x, y)
    layers = Dense((model.coef_.T.astype(np.float64),), (model.intercept_.astype(np.float64),))
    return SentimentHead(layers, mean, scale, config.negative_threshold, config.neutral_weight)


def predict_sentiment(
    head: SentimentHead, emb: Matrix, texts: Sequence[str], purposes: Sequence[str]
) -> list[str]:
    probabilities = head.probabilities(emb, sentiment_dense(texts, purposes))
    return [CLASSES[head.decide(row)] for row in probabilities]


def sentiment_arrays(head: SentimentHead) -> dict[str, Any]:
    arrays = dense_arrays("sent", list(head.layers.weights), list(head.layers.biases))
    arrays.update(
        sent_dense_mean=head.dense_mean, sent_dense_scale=head.dense_scale,
        sent_negative_threshold=np.array(head.negative_threshold),
        sent_neutral_weight=np.array(head.neutral_weight),
    )  # fmt: skip
    return arrays


@dataclass(frozen=True)
class SentimentCV:
    three_class: Scores
    binary_no_context: Scores


def cross_validate_sentiment(
    emb: Matrix, texts: Sequence[str], purposes: Sequence[str], labels: Sequence[str],
    config: HeadConfig,
) -> SentimentCV:  # fmt: skip
    """Grouped (equal texts together), stratified k-fold, as the numpy model is measured."""
    from sklearn.model_selection import StratifiedGroupKFold

    from analysis.train import group_ids

    with_context = [""] * len(texts)
    plain = [""] * len(texts)
    splitter = StratifiedGroupKFold(config.folds, shuffle=True, random_state=config.seed)
    for train_idx, test_idx in splitter.split(emb, labels, group_ids(texts)):
        head = fit_sentiment(emb[train_idx], pick(texts, train_idx), pick(purposes, train_idx),
                             pick(labels, train_idx), config)  # fmt: skip
        test_texts = pick(texts, test_idx)
        contextual = predict_sentiment(head, emb[test_idx], test_texts, pick(purposes, test_idx))
        blind = predict_sentiment(head, emb[test_idx], test_texts, [NO_PURPOSE] * len(test_idx))
        for i, a, b in zip(test_idx, contextual, blind, strict=True):
            with_context[i], plain[i] = a, b
    return SentimentCV(three_class_scores(labels, with_context), binary_scores(labels, plain))

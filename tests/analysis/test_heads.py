"""The numpy heads and how their thresholds are chosen from out-of-fold scores."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.errors import DataFileError
from analysis.head_train import false_alarm_threshold, recall_threshold, safeguarding_arrays
from analysis.heads import Dense, SafeguardingHead, SentimentHead, safeguarding_head


def test_dense_layers_apply_relu_between_layers_only() -> None:
    layers = Dense((np.array([[1.0, -1.0]]), np.array([[1.0], [1.0]])),
                   (np.zeros(2), np.array([-0.5])))  # fmt: skip
    # x=2: hidden (2, -2) → ReLU (2, 0) → 2 - 0.5
    assert layers.logits(np.array([[2.0]])).tolist() == [[1.5]]
    assert layers.logits(np.array([[-3.0]])).tolist() == [[2.5]]


def test_safeguarding_head_round_trips_through_its_arrays() -> None:
    head = SafeguardingHead(Dense((np.array([[2.0], [0.0]]),), (np.array([-1.0]),)), 0.3, 0.8)
    again = safeguarding_head(safeguarding_arrays(head))
    x = np.array([[0.5, 9.0], [0.0, 0.0]])
    assert np.allclose(again.probabilities(x), [0.5, 1 / (1 + np.e)])
    assert (again.possible, again.likely) == (0.3, 0.8)


def test_missing_head_arrays_are_a_data_file_error() -> None:
    with pytest.raises(DataFileError, match="no valid safeguarding head"):
        safeguarding_head({})


def test_sentiment_decides_negative_below_half_and_weights_neutral() -> None:
    head = SentimentHead(Dense((np.zeros((1, 3)),), (np.zeros(3),)), np.zeros(0), np.ones(0),
                         negative_threshold=0.3, neutral_weight=1.5)  # fmt: skip
    assert head.decide(np.array([0.31, 0.2, 0.49])) == 0
    assert head.decide(np.array([0.2, 0.35, 0.45])) == 1  # 0.35 × 1.5 > 0.45
    assert head.decide(np.array([0.2, 0.2, 0.6])) == 2


def test_recall_threshold_keeps_the_asked_share_of_positives() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.1, 0.5, 0.2])
    positive = np.array([True, True, True, True, False, False, False])
    assert recall_threshold(scores, positive, 1.0) == 0.6
    assert recall_threshold(scores, positive, 0.75) == 0.7
    assert (scores[positive] >= recall_threshold(scores, positive, 0.5)).mean() >= 0.5


def test_false_alarm_threshold_lets_through_at_most_the_asked_share() -> None:
    scores = np.array([0.9, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05, 0.04, 0.03, 0.02])
    negative = np.ones(10, dtype=bool)
    cut = false_alarm_threshold(scores, negative, 0.1)
    assert (scores >= cut).sum() == 1
    assert false_alarm_threshold(scores, negative, 0.0) > 0.9

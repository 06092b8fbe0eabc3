"""Small classifiers on the encoder's embeddings, scored in numpy: safeguarding and sentiment.

The heads are plain arrays in ``analysis/data/heads.npz`` (no pickle), written by
``analysis.encoder_train``: each is a stack of dense layers (ReLU between, logistic or softmax
at the end). The safeguarding head gives one probability of a disclosure and two thresholds
chosen by cross-validation on the training data: *possible concern* (for recall) and *likely
disclosure* (few false alarms). The sentiment head also reads the question's purpose and the
same dense cues the numpy model uses (VADER scores, "nothing" answers, suggestions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.errors import DataFileError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Dense:
    """Dense layers: ``x @ w + b``, ReLU between layers, raw logits out."""

    weights: tuple[FloatArray, ...]
    biases: tuple[FloatArray, ...]

    def logits(self, x: NDArray[Any]) -> FloatArray:
        out = np.asarray(x, dtype=np.float64)
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            out = out @ w + b
            if i < len(self.weights) - 1:
                out = np.maximum(out, 0.0)
        return out


def _dense(arrays: dict[str, NDArray[Any]], prefix: str) -> Dense:
    count = int(arrays[f"{prefix}_layers"])
    weights = tuple(np.asarray(arrays[f"{prefix}_w{i}"], np.float64) for i in range(count))
    biases = tuple(np.asarray(arrays[f"{prefix}_b{i}"], np.float64) for i in range(count))
    return Dense(weights, biases)


def dense_arrays(
    prefix: str, weights: list[FloatArray], biases: list[FloatArray]
) -> dict[str, Any]:
    """The arrays that ``_dense`` reads back (used by training)."""
    arrays: dict[str, Any] = {f"{prefix}_layers": np.array(len(weights))}
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        arrays[f"{prefix}_w{i}"], arrays[f"{prefix}_b{i}"] = w, b
    return arrays


@dataclass(frozen=True)
class SafeguardingHead:
    layers: Dense
    possible: float  # probability at or above which a text is a possible concern
    likely: float  # … and a likely disclosure
    # A rule hit scored below this is left to the model (not flagged); 0 keeps every rule hit.
    # Chosen on held-out training texts so that no held-out disclosure a rule caught is lost.
    rule_veto: float = 0.0

    def probabilities(self, embeddings: NDArray[Any]) -> FloatArray:
        logits = self.layers.logits(embeddings).reshape(-1)
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float64)


@dataclass(frozen=True)
class SentimentHead:
    layers: Dense
    dense_mean: FloatArray
    dense_scale: FloatArray
    negative_threshold: float
    neutral_weight: float

    def probabilities(self, embeddings: NDArray[Any], dense: NDArray[Any]) -> FloatArray:
        """Class probabilities (negative, neutral, positive), one row per text."""
        scaled = (np.asarray(dense, np.float64) - self.dense_mean) / self.dense_scale
        logits = self.layers.logits(np.hstack([np.asarray(embeddings, np.float64), scaled]))
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float64)

    def decide(self, probabilities: FloatArray) -> int:
        """Index of the class: negative once its probability reaches the lowered threshold."""
        if probabilities[0] >= self.negative_threshold:
            return 0
        return int(np.argmax(probabilities * np.array([1.0, self.neutral_weight, 1.0])))


def safeguarding_head(
    arrays: dict[str, NDArray[Any]], source: str = "heads.npz"
) -> SafeguardingHead:
    try:
        veto = float(arrays["sg_rule_veto"]) if "sg_rule_veto" in arrays else 0.0
        return SafeguardingHead(
            _dense(arrays, "sg"), float(arrays["sg_possible"]), float(arrays["sg_likely"]), veto
        )
    except (KeyError, ValueError) as exc:
        raise DataFileError(source, f"no valid safeguarding head ({exc})") from exc


def sentiment_head(arrays: dict[str, NDArray[Any]], source: str = "heads.npz") -> SentimentHead:
    try:
        return SentimentHead(
            _dense(arrays, "sent"),
            np.asarray(arrays["sent_dense_mean"], np.float64),
            np.asarray(arrays["sent_dense_scale"], np.float64),
            float(arrays["sent_negative_threshold"]),
            float(arrays["sent_neutral_weight"]),
        )
    except (KeyError, ValueError) as exc:
        raise DataFileError(source, f"no valid sentiment head ({exc})") from exc

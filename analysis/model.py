"""The shipped sentiment model: linear classifiers over TF-IDF and dense features, in numpy.

Training (``analysis.train``, scikit-learn) exports vocabularies, IDF weights and coefficients
to ``analysis/data/sentiment_model.npz``; this module re-implements scoring with numpy alone,
so the runtime needs no scikit-learn and loads no pickle (``allow_pickle=False``). An ensemble
averages the members' class probabilities; a lowered threshold for the negative class then
decides, because a missed complaint costs more than a false alarm.
"""

from __future__ import annotations

import io
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.datafiles import packaged_bytes
from analysis.errors import DataFileError
from analysis.features import DENSE_NAMES, Features

CLASSES = ("negative", "neutral", "positive")
MODEL_FILE = "sentiment_model.npz"
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Vocabulary:
    """One TF-IDF block: token → column, and the column's IDF (scikit-learn's smooth IDF)."""

    index: dict[str, int]
    idf: FloatArray

    def vector(self, tokens: Sequence[str]) -> tuple[NDArray[np.intp], FloatArray]:
        """Sublinear TF × IDF, L2-normalised: exactly ``TfidfVectorizer(sublinear_tf=True)``."""
        counts = Counter(t for t in tokens if t in self.index)
        if not counts:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        columns = np.fromiter((self.index[t] for t in counts), dtype=np.intp, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), float, len(counts))
        values = tf * self.idf[columns]
        return columns, values / np.sqrt(values @ values)


@dataclass(frozen=True)
class Member:
    """One linear classifier of the ensemble; ``blocks`` orders its feature columns."""

    blocks: tuple[str, ...]
    coef: FloatArray  # (n_classes, n_features)
    intercept: FloatArray


@dataclass(frozen=True)
class SentimentModel:
    vocabularies: dict[str, Vocabulary]
    dense_mean: FloatArray
    dense_scale: FloatArray
    members: tuple[Member, ...]
    negative_threshold: float
    neutral_weight: float
    meta: dict[str, Any]

    def _block(self, name: str, features: Features) -> tuple[NDArray[np.intp], FloatArray]:
        if name == "dense":
            values = (np.asarray(features.dense) - self.dense_mean) / self.dense_scale
            return np.arange(values.size, dtype=np.intp), values
        tokens = features.word if name == "word" else features.char
        return self.vocabularies[name].vector(tokens)

    def probabilities(self, features: Features) -> FloatArray:
        """Class probabilities (negative, neutral, positive), averaged over the ensemble."""
        blocks = {name: self._block(name, features) for name in ("word", "char", "dense")}
        total = np.zeros(len(CLASSES))
        for member in self.members:
            logits = member.intercept.copy()
            offset = 0
            for name in member.blocks:
                columns, values = blocks[name]
                logits += member.coef[:, offset + columns] @ values
                offset += self.width(name)
            exp = np.exp(logits - logits.max())
            total += exp / exp.sum()
        return total / len(self.members)

    def width(self, block: str) -> int:
        return self.dense_mean.size if block == "dense" else self.vocabularies[block].idf.size

    def decide(self, probabilities: FloatArray) -> str:
        if probabilities[0] >= self.negative_threshold:
            return CLASSES[0]
        weighted = probabilities * np.array([1.0, self.neutral_weight, 1.0])
        return CLASSES[int(np.argmax(weighted))]


def _vocabulary(arrays: Any, name: str) -> Vocabulary:
    tokens = arrays[f"{name}_vocab"].tolist()
    return Vocabulary({t: i for i, t in enumerate(tokens)}, arrays[f"{name}_idf"])


def read_model(data: bytes, source: str = MODEL_FILE) -> SentimentModel:
    """Parse a model file (an ``.npz`` of plain arrays; pickled objects are refused)."""
    try:
        arrays = np.load(io.BytesIO(data), allow_pickle=False)
        meta = json.loads(str(arrays["meta"]))
        if arrays["dense_mean"].size != len(DENSE_NAMES):
            raise ValueError(
                f"{arrays['dense_mean'].size} dense features, the runtime builds {len(DENSE_NAMES)}"
            )
        members = tuple(
            Member(tuple(spec["blocks"]), arrays[f"coef_{i}"], arrays[f"intercept_{i}"])
            for i, spec in enumerate(meta["members"])
        )
        return SentimentModel(
            vocabularies={name: _vocabulary(arrays, name) for name in ("word", "char")},
            dense_mean=arrays["dense_mean"],
            dense_scale=arrays["dense_scale"],
            members=members,
            negative_threshold=float(meta["negative_threshold"]),
            neutral_weight=float(meta["neutral_weight"]),
            meta=meta,
        )
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        raise DataFileError(source, f"not a valid sentiment model ({exc})") from exc


def load_packaged_model() -> SentimentModel:
    return read_model(packaged_bytes(MODEL_FILE), f"analysis/data/{MODEL_FILE}")

"""Classification scores in plain numpy, shared by training and the benchmark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scores:
    n: int
    accuracy: float
    macro_f1: float
    negative_recall: float
    f1: dict[str, float] = field(default_factory=dict)  # per class

    def row(self) -> str:
        per_class = " ".join(f"F1({label})={value:.3f}" for label, value in self.f1.items())
        return (
            f"n={self.n} accuracy={self.accuracy:.3f} macro-F1={self.macro_f1:.3f} "
            f"negative recall={self.negative_recall:.3f} {per_class}"
        ).rstrip()


def _f1(truth: Sequence[str], predicted: Sequence[str], label: str) -> float:
    tp = sum(t == p == label for t, p in zip(truth, predicted, strict=True))
    fp = sum(p == label != t for t, p in zip(truth, predicted, strict=True))
    fn = sum(t == label != p for t, p in zip(truth, predicted, strict=True))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def _recall(truth: Sequence[str], predicted: Sequence[str], label: str) -> float:
    relevant = [p for t, p in zip(truth, predicted, strict=True) if t == label]
    return sum(p == label for p in relevant) / len(relevant) if relevant else 0.0


def scores(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> Scores:
    """Accuracy, macro-F1 over ``labels`` and recall of the negative class."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    n = len(truth)
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / n if n else 0.0
    f1 = {label: _f1(truth, predicted, label) for label in labels}
    macro = sum(f1.values()) / len(labels)
    return Scores(n, accuracy, macro, _recall(truth, predicted, "negative"), f1)


def three_class_scores(truth: Sequence[str], predicted: Sequence[str]) -> Scores:
    return scores(truth, predicted, ("negative", "neutral", "positive"))


def binary_scores(truth: Sequence[str], predicted: Sequence[str]) -> Scores:
    """Positive vs negative: truly neutral comments are left out, and a neutral prediction
    counts as not negative (the reading a reader of "mostly positive" would make)."""
    pairs = [(t, p) for t, p in zip(truth, predicted, strict=True) if t != "neutral"]
    kept_truth = [t for t, _ in pairs]
    kept_pred = ["negative" if p == "negative" else "positive" for _, p in pairs]
    return scores(kept_truth, kept_pred, ("negative", "positive"))

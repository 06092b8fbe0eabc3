"""Scoring the shipped models on someone else's labelled comments (``carevoice text evaluate``).

A council can check sentiment or safeguarding on its own labelled file (CSV with a header row,
or JSON lines) before trusting the figures: precision, recall and F1 per class and a confusion
matrix. Labels are read leniently (``1``/``yes``/``true`` is a disclosure) but an unknown label
is an error that names the row, never a silent guess.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from analysis.features import PURPOSES

Task = Literal["sentiment", "safeguarding"]
SENTIMENT_CLASSES = ("negative", "neutral", "positive")
SAFEGUARDING_CLASSES = ("disclosure", "benign")
_YES = frozenset({"1", "yes", "y", "true", "disclosure", "flag", "flagged", "concern"})
_NO = frozenset({"0", "no", "n", "false", "benign", "none", "safe", "not flagged"})


class EvaluationError(ValueError):
    """The file or its columns cannot be evaluated; the message says which and why."""


@dataclass(frozen=True)
class ClassScores:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    task: str
    n: int
    labels: tuple[str, ...]
    classes: tuple[ClassScores, ...]
    confusion: tuple[tuple[int, ...], ...]  # rows: truth, columns: predicted, in ``labels`` order
    accuracy: float
    macro_f1: float

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def table(self) -> str:
        width = max(len(label) for label in self.labels) + 2
        lines = [f"{self.task}: {self.n} rows, accuracy {self.accuracy:.3f}, "
                 f"macro-F1 {self.macro_f1:.3f}", "",
                 f"{'class':<{width}}precision  recall     F1  support"]  # fmt: skip
        for c in self.classes:
            lines.append(f"{c.label:<{width}}{c.precision:>9.3f} {c.recall:>7.3f} {c.f1:>6.3f}"
                         f" {c.support:>8}")  # fmt: skip
        lines += ["", "confusion (rows: true label, columns: predicted)",
                  " " * width + "".join(f"{label:>{width}}" for label in self.labels)]  # fmt: skip
        for label, row in zip(self.labels, self.confusion, strict=True):
            lines.append(f"{label:<{width}}" + "".join(f"{v:>{width}}" for v in row))
        return "\n".join(lines)


def score(task: str, truth: Sequence[str], predicted: Sequence[str],
          labels: Sequence[str]) -> Evaluation:  # fmt: skip
    index = {label: i for i, label in enumerate(labels)}
    confusion = [[0] * len(labels) for _ in labels]
    for t, p in zip(truth, predicted, strict=True):
        confusion[index[t]][index[p]] += 1
    classes = []
    for i, label in enumerate(labels):
        tp = confusion[i][i]
        predicted_count = sum(row[i] for row in confusion)
        support = sum(confusion[i])
        precision = tp / predicted_count if predicted_count else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        classes.append(ClassScores(label, precision, recall, f1, support))
    n = len(truth)
    accuracy = sum(confusion[i][i] for i in range(len(labels))) / n if n else 0.0
    macro = sum(c.f1 for c in classes) / len(classes)
    return Evaluation(task, n, tuple(labels), tuple(classes),
                      tuple(tuple(r) for r in confusion), accuracy, macro)  # fmt: skip


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file (header row) or, for ``.jsonl``, one JSON object per line."""
    if not path.is_file():
        raise EvaluationError(f"{path}: no such file")
    try:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            with path.open(encoding="utf-8") as handle:
                return [{k: "" if v is None else str(v) for k, v in json.loads(line).items()}
                        for line in handle if line.strip()]  # fmt: skip
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [{k: v or "" for k, v in row.items() if k is not None}
                    for row in csv.DictReader(handle)]  # fmt: skip
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError) as exc:
        raise EvaluationError(f"{path}: cannot read it as CSV or JSON lines ({exc})") from exc


def _require(path: Path, rows: list[dict[str, str]], column: str) -> None:
    columns = list(rows[0]) if rows else []
    if column not in columns:
        raise EvaluationError(f"{path}: no column {column!r} (columns: {', '.join(columns)})")


def _truth(task: str, value: str, line: int, column: str) -> str:
    cleaned = value.strip().lower()
    if task == "sentiment":
        if cleaned in SENTIMENT_CLASSES:
            return cleaned
        expected = ", ".join(SENTIMENT_CLASSES)
    else:
        if cleaned in _YES:
            return "disclosure"
        if cleaned in _NO:
            return "benign"
        expected = "1/0, yes/no, true/false"
    raise EvaluationError(f"row {line}: {column}={value!r} is not a label ({expected})")


def evaluate(
    path: Path,
    label_column: str,
    task: Task = "sentiment",
    text_column: str = "text",
    question_column: str = "question_type",
) -> Evaluation:
    """Score the default sentiment engine, or safeguarding (rules OR model), on ``path``."""
    rows = read_rows(path)
    if not rows:
        raise EvaluationError(f"{path}: no rows to evaluate")
    for column in (text_column, label_column):
        _require(path, rows, column)
    truth = [_truth(task, r[label_column], i + 2, label_column) for i, r in enumerate(rows)]
    texts = [r[text_column] for r in rows]
    if task == "sentiment":
        from analysis import sentiment

        purposes = [r.get(question_column, "").strip() or None for r in rows]
        for line, purpose in enumerate(purposes, 2):
            if purpose is not None and purpose not in PURPOSES:
                raise EvaluationError(f"row {line}: {question_column}={purpose!r} is not one of "
                                      f"{', '.join(PURPOSES)}")  # fmt: skip
        labels = [str(r.label) for r in sentiment.classify_many(texts, purposes)]
        return score(task, truth, labels, SENTIMENT_CLASSES)
    from analysis import safeguarding

    flags = safeguarding.check_many(texts)
    predicted = ["disclosure" if f.flagged else "benign" for f in flags]
    return score(task, truth, predicted, SAFEGUARDING_CLASSES)

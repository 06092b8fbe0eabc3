"""Evaluating the shipped models on a labelled file: the scores by hand, the readers, the
errors a council will meet, and ``carevoice text evaluate`` itself."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.evaluate import EvaluationError, evaluate, score
from bot.cli.text import app

runner = CliRunner()


def _csv(tmp_path: Path, rows: list[dict[str, str]], name: str = "labelled.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_scores_by_hand() -> None:
    truth = ["negative", "negative", "neutral", "positive"]
    predicted = ["negative", "positive", "negative", "positive"]
    result = score("sentiment", truth, predicted, ("negative", "neutral", "positive"))
    negative, neutral, positive = result.classes
    assert (negative.precision, negative.recall, negative.support) == (0.5, 0.5, 2)
    assert (neutral.precision, neutral.recall, neutral.f1) == (0.0, 0.0, 0.0)
    assert (positive.precision, positive.recall) == (0.5, 1.0)
    assert result.confusion == ((1, 0, 1), (1, 0, 0), (0, 0, 1))
    assert result.accuracy == 0.5
    assert result.macro_f1 == pytest.approx((0.5 + 0 + 2 / 3) / 3)


def test_safeguarding_on_a_file_with_lenient_labels(tmp_path: Path) -> None:
    path = _csv(tmp_path, [
        {"comment": "she slapped my mum across the face", "flag": "yes"},
        {"comment": "I don't feel safe with him", "flag": "1"},
        {"comment": "The food was lovely and the staff were kind", "flag": "no"},
        {"comment": "Answer the phone quicker", "flag": "0"},
    ])  # fmt: skip
    result = evaluate(path, "flag", "safeguarding", text_column="comment")
    assert result.labels == ("disclosure", "benign")
    assert result.confusion == ((2, 0), (0, 2))
    assert result.classes[0].recall == 1.0


def test_sentiment_reads_jsonl_and_the_question_purpose(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    lines = [
        {"text": "Nothing", "label": "negative", "question_type": "what_good"},
        {"text": "Lovely caring staff", "label": "positive", "question_type": ""},
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = evaluate(path, "label", "sentiment")
    assert result.n == 2
    assert sum(map(sum, result.confusion)) == 2
    assert "confusion" in result.table()
    assert "negative" in result.table()


def test_errors_name_the_file_column_or_row(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match="no such file"):
        evaluate(tmp_path / "absent.csv", "label")
    path = _csv(tmp_path, [{"text": "ok", "label": "great"}])
    with pytest.raises(EvaluationError, match="no column 'sentiment'"):
        evaluate(path, "sentiment")
    with pytest.raises(EvaluationError, match="row 2: label='great' is not a label"):
        evaluate(path, "label")


def test_cli_prints_a_table_or_json(tmp_path: Path) -> None:
    path = _csv(tmp_path, [{"text": "he grabs my arm hard", "y": "1"},
                           {"text": "Very good service, thank you", "y": "0"}])  # fmt: skip
    text = runner.invoke(app, ["evaluate", str(path), "--label-column", "y", "--task",
                               "safeguarding"])  # fmt: skip
    assert text.exit_code == 0, text.output
    assert "precision" in text.stdout
    assert "disclosure" in text.stdout
    as_json = runner.invoke(app, ["evaluate", str(path), "--label-column", "y", "--task",
                                  "safeguarding", "--format", "json"])  # fmt: skip
    payload = json.loads(as_json.stdout)
    assert payload["n"] == 2
    assert payload["confusion"] == [[1, 0], [0, 1]]


def test_cli_errors_exit_1_or_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["evaluate", str(tmp_path / "x.csv"), "--label-column", "y"])
    assert missing.exit_code == 1
    assert "no such file" in missing.stderr
    path = _csv(tmp_path, [{"text": "ok", "y": "positive"}])
    column = runner.invoke(app, ["evaluate", str(path), "--label-column", "label"])
    assert column.exit_code == 1
    assert "no column 'label'" in column.stderr
    assert "Traceback" not in column.output
    task = runner.invoke(app, ["evaluate", str(path), "--label-column", "y", "--task", "x"])
    assert task.exit_code == 2

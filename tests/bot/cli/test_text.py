"""``carevoice text ...`` commands, driven through typer's test runner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.text import app

runner = CliRunner()


def _csv(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "answers.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _rows(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def test_sentiment_adds_columns_using_the_question_purpose(tmp_path: Path) -> None:
    path = _csv(tmp_path, [
        {"id": "1", "text": "Nothing", "question_type": "could_improve"},
        {"id": "2", "text": "Nothing", "question_type": "what_good"},
        {"id": "3", "text": "Answer the phone quicker", "question_type": ""},
    ])  # fmt: skip
    result = runner.invoke(app, ["sentiment", str(path)])
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert [r["sentiment"] for r in rows] == ["positive", "negative", "negative"]
    assert list(rows[0]) == ["id", "text", "question_type", "sentiment", "sentiment_score"]
    assert -1 <= float(rows[2]["sentiment_score"]) < 0


def test_sentiment_without_question_column_reads_nonspecific(tmp_path: Path) -> None:
    path = _csv(tmp_path, [{"comment": "Lovely caring staff"}])
    result = runner.invoke(app, ["sentiment", str(path), "--text-column", "comment"])
    assert result.exit_code == 0
    assert _rows(result.stdout)[0]["sentiment"] == "positive"


def test_user_errors_exit_1_with_one_line(tmp_path: Path) -> None:
    path = _csv(tmp_path, [{"comment": "ok", "question_type": "bogus"}])
    missing_column = runner.invoke(app, ["safeguarding", str(path)])
    assert missing_column.exit_code == 1
    assert "no column 'text'" in missing_column.stderr
    assert "Traceback" not in missing_column.output
    bad_purpose = runner.invoke(app, ["sentiment", str(path), "--text-column", "comment"])
    assert bad_purpose.exit_code == 1
    assert "row 2: question_type='bogus'" in bad_purpose.stderr
    no_file = runner.invoke(app, ["themes", str(tmp_path / "absent.csv")])
    assert (no_file.exit_code, no_file.stderr.count("\n")) == (1, 1)


def test_usage_errors_exit_2() -> None:
    assert runner.invoke(app, ["sentiment"]).exit_code == 2
    assert runner.invoke(app, ["redact", "--format", "xml"]).exit_code == 2


def test_safeguarding_and_themes_columns(tmp_path: Path) -> None:
    path = _csv(tmp_path, [{"text": "I don't feel safe with him"}, {"text": "Always late"}])
    flagged = _rows(runner.invoke(app, ["safeguarding", str(path)]).stdout)
    assert [(r["safeguarding"], r["safeguarding_category"]) for r in flagged] == [
        ("yes", "unsafe"), ("no", "")]  # fmt: skip
    tagged = _rows(runner.invoke(app, ["themes", str(path)]).stdout)
    assert [r["themes"] for r in tagged] == ["safety", "punctuality"]


def test_themes_with_a_bad_extension_file_is_a_user_error(tmp_path: Path) -> None:
    path = _csv(tmp_path, [{"text": "late"}])
    bad = tmp_path / "themes.yaml"
    bad.write_text("version: 1\nthemes: {}\n", encoding="utf-8")
    result = runner.invoke(app, ["themes", str(path), "--themes", str(bad)])
    assert result.exit_code == 1
    assert str(bad) in result.stderr


def test_redact_reads_stdin() -> None:
    result = runner.invoke(app, ["redact"], input="Mrs Patel on 07700 900123 was kind\n")
    assert result.exit_code == 0
    assert result.stdout == "Mrs [NAME] on [PHONE] was kind\n"
    as_json = runner.invoke(app, ["redact", "--format", "json"], input="my carer Tom hits me")
    payload = json.loads(as_json.stdout)
    assert (payload["text"], payload["safe"]) == ("my carer [NAME] hits me", False)


def test_train_with_missing_data_is_a_user_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["train", "--data", str(tmp_path / "none.csv")])
    assert result.exit_code == 1
    assert "no such file" in result.stderr

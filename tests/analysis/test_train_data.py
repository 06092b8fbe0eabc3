"""Reading the safeguarding training data: rows, errors that name the line, deduplication."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.train_data import Labelled, dedupe, file_record, read_jsonl, repository_examples


def test_rows_carry_their_file_and_batch_as_group(tmp_path: Path) -> None:
    path = tmp_path / "train_x.jsonl"
    rows = [
        {"text": "he hits me", "label": 1, "category": "physical", "batch": "t1"},
        {"text": "nobody hits me", "label": 0, "category": "negated", "batch": "n1"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    first, second = read_jsonl(path)
    assert first == Labelled("he hits me", 1, "physical", "train_x:t1")
    assert second.label == 0
    assert file_record(path)["rows"] == 2


@pytest.mark.parametrize("line", ['{"text": "x", "label": 2}', '{"label": 1}', "not json"])
def test_bad_line_is_refused_with_its_number(tmp_path: Path, line: str) -> None:
    path = tmp_path / "train_bad.jsonl"
    path.write_text('{"text": "ok", "label": 0}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"train_bad\.jsonl:2"):
        read_jsonl(path)


def test_duplicate_texts_keep_the_disclosure_label() -> None:
    rows = [Labelled("He hits me", 0, "a", "b1"), Labelled("he  hits me", 1, "b", "b2"),
            Labelled("fine", 0, "c", "b3")]  # fmt: skip
    kept = dedupe(rows)
    assert [(r.text.lower(), r.label) for r in kept] == [("he  hits me", 1), ("fine", 0)]


def test_repository_examples_are_read_without_running_the_tests() -> None:
    rows = repository_examples()
    disclosures = [r for r in rows if r.label == 1]
    assert len(disclosures) >= 150
    assert any(r.text == "he grabs my arm hard" for r in disclosures)
    assert {r.label for r in rows} == {0, 1}

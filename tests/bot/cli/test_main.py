"""The carevoice command, run in-process as a person would type it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import typer
from ruamel.yaml import YAML
from typer.testing import CliRunner

from bot.cli.main import app
from flows.loader import bundled_ids, resolve

runner = CliRunner()

BAD_FLOW = """\
id: broken
version: 1
title: Broken
messages:
  intro: Hi
  thanks: Bye
  opt_out_footer: Reply STOP to opt out.
  safeguarding: Call 999.
questions:
  - id: first
    type: single_choice
    text: Pick one
    next: nowhere
    options:
      - {value: a, label: A}
      - {value: a, label: B}
"""


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_check_accepts_every_bundled_flow() -> None:
    code, out, _ = invoke("flows", "check", *bundled_ids())
    assert code == 0
    assert out.count(": ok (") == len(bundled_ids())


def test_check_reports_every_problem_with_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BAD_FLOW, encoding="utf-8")
    code, _, err = invoke("flows", "check", str(path), "fft")
    assert code == 1
    assert f"{path}:13:11: next refers to unknown question 'nowhere'" in err
    assert f"{path}:16:17: option value 'a' is used twice in 'first'" in err


def test_check_unknown_flow_is_a_clear_error() -> None:
    code, _, err = invoke("flows", "check", "no_such_flow")
    assert code == 1
    assert "no flow file or flow called 'no_such_flow'" in err


def test_schema_validates_every_bundled_flow() -> None:
    code, out, _ = invoke("flows", "schema")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for flow_id in bundled_ids():
        document = YAML(typ="safe").load(resolve(flow_id).read_text(encoding="utf-8"))
        assert list(validator.iter_errors(document)) == [], flow_id


def test_schema_rejects_an_unknown_question_type() -> None:
    schema = json.loads(invoke("flows", "schema")[1])
    document = YAML(typ="safe").load(BAD_FLOW)
    document["questions"][0]["type"] = "essay"
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(document))


def test_schema_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "flow.schema.json"
    code, _, _ = invoke("flows", "schema", "--out", str(target))
    assert code == 0
    assert json.loads(target.read_text())["title"] == "carevoice flow"


def test_graph_is_mermaid_with_branches() -> None:
    code, out, _ = invoke("flows", "graph", "pcf_consultation")
    assert code == 0
    assert out.startswith("flowchart TD\n")
    assert 'status -- "We have a chair from the service" --> chair_fit' in out
    assert "change --> finish" in out


def test_preview_shows_segments_in_easy_read() -> None:
    code, out, _ = invoke("flows", "preview", "homecare_monthly", "--lang", "en-easy")
    assert code == 0
    assert "── punctuality (single_choice) · GSM-7, 88 chars, 1 SMS" in out
    assert "2 Most of the time" in out


def test_preview_unknown_channel() -> None:
    code, _, err = invoke("flows", "preview", "fft", "--channel", "fax")
    assert code == 1
    assert "unknown channel 'fax'" in err


def test_piped_chat_records_answers_as_json() -> None:
    stdin = "1\nusualy\nnever\n2\nVery kind\nskip\n"
    code, out, err = invoke("chat", "homecare_monthly", "--answers-json", stdin=stdin)
    assert code == 0
    assert json.loads(out) == {
        "punctuality": "always",
        "continuity": "usually",
        "attitude": "never",
        "fft": "good",
        "fft_why": "Very kind",
        "improve": None,
    }
    assert "bot> Do your care workers arrive on time?" in err


def test_chat_left_unfinished_says_so_and_keeps_nulls() -> None:
    code, out, err = invoke("chat", "fft", "--answers-json", stdin="2\n")
    assert code == 0
    assert json.loads(out) == {"fft": "good", "fft_why": None}
    assert "left unfinished" in err


def test_chat_stop_ends_at_once() -> None:
    code, out, _ = invoke("chat", "fft", "--lang", "en-easy", stdin="STOP\n1\n")
    assert code == 0
    assert "We will not send you any more messages." in out
    assert "Very good" in out  # the first question was shown before STOP
    assert out.rstrip().endswith("We will not send you any more messages.")


@pytest.mark.parametrize("args", [["chat"], ["flows", "check"]])
def test_missing_arguments_are_usage_errors(args: list[str]) -> None:
    assert invoke(*args)[0] == 2


def _commands(group: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    # Typer (0.29) vendors its own click, so groups are found by what they list, not a type;
    # the root group loads each command only when asked for it.
    for name in group.list_commands(None):
        command = group.get_command(None, name)
        yield f"{prefix}{name}", command
        if hasattr(command, "list_commands"):
            yield from _commands(command, f"{prefix}{name} ")


def test_every_command_has_help_text() -> None:
    found = dict(_commands(typer.main.get_command(app)))
    assert {"flows check", "invite", "worker", "chat", "serve", "users add"} <= set(found)
    missing = [name for name, command in found.items() if not (command.help or "").strip()]
    assert missing == []


def test_check_warns_about_deprecated_parts_of_the_language(tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    old = BAD_FLOW.replace("    next: nowhere\n", "").replace(
        "{value: a, label: B}", "{value: b, label: B}"
    )
    path.write_text(old.replace("title: Broken\n", "title: Broken\nunicode: true\n"), "utf-8")
    code, out, err = invoke("flows", "check", str(path))
    assert code == 0  # still loads and runs
    assert f"{path}: ok (broken v1, 1 questions)" in out
    assert f"{path}: warning: messages.opt_out_footer is deprecated and ignored" in err
    assert "each channel adds its own opt-out line" in err
    assert f"{path}: warning: unicode is deprecated and ignored" in err
    code, _, err = invoke("flows", "check", "fft")
    assert (code, err) == (0, "")  # the bundled flows use neither

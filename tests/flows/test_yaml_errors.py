"""YAML syntax errors come out as a plain sentence and the fix, at file:line:col, never as the
parser's jargon."""

from __future__ import annotations

import pytest

from flows.errors import FlowLoadError
from flows.loader import load_text

JARGON = ("token", "scalar", "block end", "mapping values", "stream", "while scanning")

CASES = [
    pytest.param(
        "id: x\nquestions:\n\t- id: a\n",
        "3:1: a tab is used here: tabs are not allowed for indenting, use spaces",
        id="tab",
    ),
    pytest.param(
        "id: x\ntitle: Visits: how did we do?\n",
        "2:14: a second ': ' on this line is read as a new key: put the whole value in quotes",
        id="colon-in-value",
    ),
    pytest.param(
        "id: x\nquestions:\n  - id: a\n     type: fft\n",
        "4:10: this line is read as part of the value above it: line its key up",
        id="indented-too-far",
    ),
    pytest.param(
        "id: x\nquestions:\n  - id: a\n  type: fft\n",
        "4:3: this line does not line up with the lines above",
        id="not-lined-up",
    ),
    pytest.param(
        'id: x\ntitle: "Hello\nversion: 1\n',
        "2:8: a quote is opened here and never closed: add the closing quote",
        id="unclosed-quote-reported-where-it-opens",
    ),
    pytest.param(
        "id: x\noptions: [a, b\nversion: 1\n",
        "2:10: the [ opened here is not closed, or an item in it contains ': ': close it with ]",
        id="unclosed-bracket",
    ),
    pytest.param(
        "id: x\ntitle: [Draft] Survey\n",
        "2:16: there is more text after a value that already ended",
        id="text-after-bracket",
    ),
    pytest.param(
        "id: x\n- a\n",
        "2:1: a list item ('- ') where a key was expected: indent it under the key",
        id="list-item-in-mapping",
    ),
    pytest.param(
        "id: @council\n",
        "1:5: a value cannot start with '@': put the whole value in quotes",
        id="at-sign",
    ),
    pytest.param(
        "id: *x\n",
        "1:5: a value cannot start with '*' (YAML reads *x as a reference)",
        id="asterisk",
    ),
    pytest.param(
        'title: "C:\\quiet"\n',
        "1:12: '\\q' is not a known escape in double quotes: write '\\\\' for a backslash",
        id="backslash",
    ),
    pytest.param(
        "id: x\ntext: |\nno indent\n",
        "3:1: this line is neither 'key: value' nor indented under a key",
        id="block-text-not-indented",
    ),
    pytest.param(
        "id: x\nid: y\n",
        "2:1: the key 'id' appears twice here: remove or rename one of them",
        id="duplicate-key",
    ),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_yaml_error_is_a_sentence_with_the_fix(source: str, expected: str) -> None:
    with pytest.raises(FlowLoadError) as caught:
        load_text(source, "survey.yaml")
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"survey.yaml:{expected}")
    assert not any(word in problem.message for word in JARGON)


def test_an_unknown_error_keeps_ruamels_words_in_a_sentence() -> None:
    from ruamel.yaml.error import MarkedYAMLError, StreamMark

    from flows.yaml_errors import explain

    mark = StreamMark("survey.yaml", 0, 1, 2)
    found = explain(MarkedYAMLError(problem="something new", problem_mark=mark), "a\nbc\n")
    assert (found.line, found.col) == (2, 3)
    assert found.message == "the YAML cannot be read: something new"

"""Placeholders: filled from a fixed context only, with defaults and literal braces."""

from __future__ import annotations

import pytest

from flows.piping import fill, placeholders, stray_brace

VALUES = {
    ("provider", None): "Acme Care",
    ("answer", "fft"): "Good",
    ("answer", "empty"): "",
}
SEEN: list[tuple[str, str | None]] = []


def lookup(root: str, name: str | None) -> str | None:
    SEEN.append((root, name))
    return VALUES.get((root, name))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi {provider}", "Hi Acme Care"),
        ("Hi { provider }!", "Hi Acme Care!"),
        ("You said {answer.fft}.", "You said Good."),
        ("You said {answer.fft|nothing}.", "You said Good."),
        ("You said {answer.why|your answer}.", "You said your answer."),
        ("You said {answer.why| your answer }.", "You said your answer."),
        ("You said {answer.empty|nothing}.", "You said nothing."),
        ("You said {answer.why}.", "You said ."),
        ("{unknown}", ""),
        ("{answer.fft|a|b}", "Good"),
        ("{{provider}}", "{provider}"),
        ("{{{provider}}}", "{Acme Care}"),
        ("}}{{", "}{"),
        ("no placeholders", "no placeholders"),
        ("{provider}{provider}", "Acme CareAcme Care"),
    ],
)
def test_fill(text: str, expected: str) -> None:
    assert fill(text, lookup) == expected


@pytest.mark.parametrize(
    "text",
    [
        "{provider.__class__}",
        "{provider.__class__.__init__.__globals__}",
        "{__import__('os').system('echo hi')}",
        "{provider!r}",
        "{provider:>20}",
        "{0}",
        "{}",
        "{Provider}",
        "{provider[0]}",
        "{answer.x.y}",
        "{provider",
    ],
)
def test_no_code_runs_and_nothing_else_is_filled(text: str) -> None:
    SEEN.clear()
    assert fill(text, lookup) == text
    assert SEEN == []
    assert placeholders(text) == []
    assert stray_brace(text) is not None


def test_dotted_names_only_reach_the_lookup() -> None:
    SEEN.clear()
    assert fill("{provider.name}", lookup) == ""
    assert SEEN == [("provider", "name")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi {provider}", [("provider", None, None, 3)]),
        ("{answer.fft|your answer} and {council}", [
            ("answer", "fft", "your answer", 0),
            ("council", None, None, 29),
        ]),
        ("{{not}} {{ one }}", []),
        ("{ answer.q1 }", [("answer", "q1", None, 0)]),
    ],
)  # fmt: skip
def test_placeholders(text: str, expected: list[tuple[str, str | None, str | None, int]]) -> None:
    assert [(p.root, p.name, p.default, p.offset) for p in placeholders(text)] == expected


def test_spelling() -> None:
    found = placeholders("{answer.fft|x} {provider}")
    assert [p.spelling for p in found] == ["{answer.fft}", "{provider}"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fine {provider} {{ }}", None),
        ("a } b", 2),
        ("a { b", 2),
        ("{provider} }", 11),
        ("{{{", 2),
        ("{ {provider} }", 0),
        ("", None),
    ],
)
def test_stray_brace(text: str, expected: int | None) -> None:
    assert stray_brace(text) == expected

"""YAML syntax errors in words a survey author knows, each with the fix.

ruamel.yaml's messages name the parser's state ("found character '\\t' that cannot start any
token", "expected <block end>, but found '?'"): true, but they do not say what to change. Each
known message becomes one sentence saying what is wrong and what to do, at the place the author
should look — for an unclosed quote or bracket that is where it opens, not the end of the file.
Anything not recognised keeps ruamel's own words, prefixed so it still reads as a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ruamel.yaml.error import MarkedYAMLError

QUOTE_IT = 'put the whole value in quotes, e.g. text: "Tip: reply YES"'


@dataclass(frozen=True)
class Explained:
    line: int  # 1-based, like the Problem it becomes
    col: int
    message: str


def explain(error: MarkedYAMLError, source: str) -> Explained:
    """Where to look and what to do about one YAML syntax error."""
    problem = " ".join(str(error.problem or error.context or "").split())
    context = " ".join(str(error.context or "").split())
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line, mark.column) if mark else (0, 0)
    text = source.splitlines()[line] if line < len(source.splitlines()) else ""
    opened = error.context_mark
    message = _message(problem, context, text[:col])
    if message is None:
        message = f"the YAML cannot be read: {problem or 'invalid YAML'}"
    elif opened is not None and _points_at_opening(problem, context):
        line, col = opened.line, opened.column
    return Explained(line + 1, col + 1, message)


def _points_at_opening(problem: str, context: str) -> bool:
    """Errors found at the end of what was left open are reported where it was opened (a key
    without its colon: where that line starts)."""
    unclosed = "quoted scalar" in context and problem == "found unexpected end of stream"
    return unclosed or context.startswith(("while parsing a flow", "while scanning a simple key"))


def _message(problem: str, context: str, before: str) -> str | None:
    for rule in (_characters, _structure, _scalars):
        if (found := rule(problem, context, before)) is not None:
            return found
    return None


def _characters(problem: str, context: str, before: str) -> str | None:
    if problem == "found character '\\t' that cannot start any token":
        return "a tab is used here: tabs are not allowed for indenting, use spaces"
    if found := re.fullmatch(r"found character '(.)' that cannot start any token", problem):
        return (
            f"a value cannot start with {found[1]!r}: put the whole value in quotes, "
            f'e.g. "{found[1]}home"'
        )
    if context == "while scanning a directive":
        return f"a line cannot start with '%' (YAML reads it as a directive): {QUOTE_IT}"
    if found := re.fullmatch(r"found unknown escape character '(.*)'", problem):
        return (
            f"'\\{found[1]}' is not a known escape in double quotes: write '\\\\' for a "
            "backslash, or use single quotes"
        )
    if found := re.fullmatch(r"found undefined alias '(.*)'", problem):
        return (
            f"a value cannot start with '*' (YAML reads *{found[1]} as a reference): put the "
            f'whole value in quotes, e.g. "*{found[1]}"'
        )
    return None


def _structure(problem: str, context: str, before: str) -> str | None:
    if problem == "mapping values are not allowed here":
        if ": " in before or before.rstrip().endswith(":"):
            return f"a second ': ' on this line is read as a new key: {QUOTE_IT}"
        return (
            "this line is read as part of the value above it: line its key up with the keys "
            "above (same number of spaces), and put a space after each key's colon"
        )
    if problem == "could not find expected ':'":
        return (
            "this line is neither 'key: value' nor indented under a key: indent a value that "
            "runs onto several lines, or add the missing colon"
        )
    if found := re.fullmatch(r"expected <block end>, but found '(.*)'", problem):
        if found[1] == "<scalar>":
            return (
                f"there is more text after a value that already ended (at a quote or ]): {QUOTE_IT}"
            )
        if found[1] == "-":
            return (
                "a list item ('- ') where a key was expected: indent it under the key it belongs to"
            )
        return (
            "this line does not line up with the lines above: keys of one mapping, and the "
            "'- ' of each item in one list, must start in the same column"
        )
    if found := re.fullmatch(r"found duplicate key \"(.*?)\".*", problem):
        return f"the key {found[1]!r} appears twice here: remove or rename one of them"
    return None


def _scalars(problem: str, context: str, before: str) -> str | None:
    if "quoted scalar" in context and problem == "found unexpected end of stream":
        return "a quote is opened here and never closed: add the closing quote"
    if found := re.fullmatch(r"expected ',' or '([\]}])', but (?:got|found) .*", problem):
        opening = "[" if found[1] == "]" else "{"
        return (
            f"the {opening} opened here is not closed, or an item in it contains ': ': close it "
            f"with {found[1]}, or {QUOTE_IT}"
        )
    return None

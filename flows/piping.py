"""Placeholders in texts: ``{provider}``, ``{answer.fft}``, ``{answer.fft|your answer}``.

Only names from a fixed context are replaced — never code, attributes or format specs — so a
flow author cannot run anything. ``{{`` and ``}}`` stand for literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_PLACEHOLDER = re.compile(
    r"\{\{|\}\}|\{\s*(?P<root>[a-z_][a-z0-9_]*)(?:\.(?P<name>[a-z][a-z0-9_]*))?"
    r"\s*(?:\|(?P<default>[^{}]*))?\}"
)
_STRAY_BRACE = re.compile(r"[{}]")


@dataclass(frozen=True)
class Placeholder:
    root: str
    name: str | None
    default: str | None
    offset: int

    @property
    def spelling(self) -> str:
        return "{" + self.root + (f".{self.name}" if self.name else "") + "}"


def placeholders(text: str) -> list[Placeholder]:
    found: list[Placeholder] = []
    for match in _PLACEHOLDER.finditer(text):
        if match.group("root"):
            found.append(Placeholder(match["root"], match["name"], match["default"], match.start()))
    return found


def stray_brace(text: str) -> int | None:
    """Offset of a ``{`` or ``}`` that is not part of a placeholder, if any."""
    remainder = _PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)
    match = _STRAY_BRACE.search(remainder)
    return match.start() if match else None


Lookup = Callable[[str, str | None], str | None]


def fill(text: str, lookup: Lookup) -> str:
    """Replace each placeholder with ``lookup(root, name)``, else its default, else nothing."""

    def replace(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole in {"{{", "}}"}:
            return whole[0]
        value = lookup(match["root"], match["name"])
        if value is None or value == "":
            return (match["default"] or "").strip()
        return value

    return _PLACEHOLDER.sub(replace, text)

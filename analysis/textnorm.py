"""Normalising free text for rule matching while remembering where each character came from.

Rules are written against lower-case text with straight apostrophes and corrected spellings,
but evidence must quote the person's own words, so every normalised character keeps the index
of the original character it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# Apostrophes (straight, curly and look-alikes that phones insert) are dropped, so rules need
# one spelling: "don't", "don’t" and "dont" all become "dont".
_CHAR_MAP = {"'": "", "\u2019": "", "\u2018": "", "`": "", "\u00b4": "", "\u02bc": ""}
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class NormalText:
    """Normalised text plus ``origin[i]``: the index in the original of normalised char ``i``."""

    text: str
    origin: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised ``[start, end)`` back to the original text."""
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


def _lower_with_origin(text: str) -> tuple[str, list[int]]:
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        mapped = _CHAR_MAP.get(char, char).lower()
        chars.append(mapped)
        origin.extend([index] * len(mapped))
    return "".join(chars), origin


def normalise(
    text: str,
    corrections: Mapping[str, str] | None = None,
    correct: Callable[[str], str | None] | None = None,
) -> NormalText:
    """Lower-case ``text``, drop apostrophes and replace misspelt words, keeping origins.

    ``corrections`` maps exact words to replacements; ``correct`` is asked about any other word
    and returns a replacement or None.
    """
    lowered, origin = _lower_with_origin(text)
    fixes = corrections or {}
    parts: list[str] = []
    new_origin: list[int] = []
    last = 0
    for match in _WORD.finditer(lowered):
        word = match.group()
        replacement = fixes.get(word)
        if replacement is None and correct is not None:
            replacement = correct(word)
        if replacement is None or replacement == word:
            continue
        parts.append(lowered[last : match.start()])
        new_origin.extend(origin[last : match.start()])
        parts.append(replacement)
        # Every replacement char points into the original word: first to its start, the rest
        # to its last char, so a span covering the whole replacement covers the whole word.
        first, final = origin[match.start()], origin[match.end() - 1]
        new_origin.extend([first] + [final] * (len(replacement) - 1))
        last = match.end()
    parts.append(lowered[last:])
    new_origin.extend(origin[last:])
    new_origin.append(len(text))
    return NormalText("".join(parts), tuple(new_origin), text)

"""Understanding answers as people really type them on a phone.

Every function returns ``None`` when it cannot understand; it never raises. The engine turns
``None`` into a polite re-ask.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from flows import builtins

# Below this similarity (0-100) a typo is too far from any label to guess which was meant.
FUZZY_CUTOFF = 80.0
# Two labels this close in similarity are ambiguous; asking again beats guessing.
FUZZY_MARGIN = 5.0

_UNITS = {
    "zero": 0, "none": 0, "nil": 0, "nobody": 0, "no one": 0, "noone": 0,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_EDGE_PUNCTUATION = " \t\r\n.,!?;:\"'`()[]{}<>*_~-\u2212"
_NUMBER_PREFIX = re.compile(r"^(?:#|no\.\s*|no\s+(?=\d)|number\s+|option\s+|answer\s+)")
_ORDINAL_DIGITS = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
# Emoji skin tones and the emoji variation selector: 👍🏽 is 👍. The keycap mark makes 1️⃣ a 1.
_EMOJI_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f\u20e3]")
# Words that turn an answer round: "not sometimes" is no typo for "sometimes".
_NEGATIONS = frozenset(
    {"not", "no", "nor", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "cant"}
    | {"cannot", "wont", "havent", "hasnt"}
)
_SEPARATORS = re.compile(r"\s*(?:,|;|&|\+|/|\band\b|\bplus\b)\s*")


@dataclass(frozen=True)
class Choice:
    """An option as the parser sees it: its value and every text that may name it."""

    value: str
    names: tuple[str, ...]


def normalise(text: str) -> str:
    """Case, curly quotes, apostrophes, repeated spaces and edge punctuation do not matter."""
    folded = unicodedata.normalize("NFKC", _EMOJI_MODIFIERS.sub("", text)).casefold()
    folded = folded.replace("\U0001f51f", "10")  # the keycap ten is one character of its own
    folded = folded.replace("’", "'").replace("‘", "'").replace("`", "'")
    folded = folded.replace("'", "")
    folded = re.sub(r"\s+", " ", folded)
    return folded.strip(_EDGE_PUNCTUATION)


def parse_integer(text: str) -> int | None:
    """``3``, ``3.``, ``three``, ``twenty one``, ``3rd``, ``about 3 carers`` → the one number."""
    words = normalise(text)
    words = _NUMBER_PREFIX.sub("", words)
    if re.fullmatch(r"\d+", words):
        # normalise() trims a leading "-" as punctuation; put back the sign of "-3".
        negative = re.match(r"\s*[-\u2212]\d", text) is not None
        return -int(words) if negative else int(words)
    if match := _ORDINAL_DIGITS.match(words):
        return int(match.group(1))
    if words in _ORDINALS:
        return _ORDINALS[words]
    spelled = _spelled_number(words)
    if spelled is not None:
        return spelled
    digits = re.findall(r"(?<![\d.])\d+(?![\d.])", words)
    if len(digits) == 1 and not re.search(r"\d\s*(?:-|to|or)\s*\d", words):
        return int(digits[0])
    return None


def _spelled_number(words: str) -> int | None:
    if words in _UNITS:
        return _UNITS[words]
    parts = re.split(r"[\s-]+", words)
    if not parts or len(parts) > 3:
        return None
    total = 0
    for index, part in enumerate(parts):
        if part in _TENS and index == 0:
            total += _TENS[part]
        elif part in _UNITS and part not in {"none", "nil", "nobody"} and total % 10 == 0:
            total += _UNITS[part]
        elif part == "hundred" and 0 < total < 10 and index == 1:
            total *= 100
        else:
            return None
    return total


def parse_choice(text: str, choices: Sequence[Choice]) -> str | None:
    """One option: by number (1-based), by label, value or synonym, by 👍/yep or 👎/nope when
    exactly one option is a yes (or a no), or by a small typo."""
    words = normalise(text)
    if not words:
        return None
    for choice in choices:
        if words in choice.names:
            return choice.value
    for meaning in (builtins.YES_WORDS, builtins.NO_WORDS):
        if words in meaning or text.strip() in meaning:
            named = [choice.value for choice in choices if meaning.intersection(choice.names)]
            if named:
                # Two options both named yes is a re-ask: a guess would be a made-up answer.
                return named[0] if len(named) == 1 else None
    number = parse_integer(text)
    if number is not None and _looks_numeric(words):
        return choices[number - 1].value if 1 <= number <= len(choices) else None
    return _fuzzy_choice(words, choices)


def _looks_numeric(words: str) -> bool:
    stripped = _NUMBER_PREFIX.sub("", words)
    return bool(
        re.fullmatch(r"\d+", stripped)
        or _ORDINAL_DIGITS.match(stripped)
        or stripped in _ORDINALS
        or _spelled_number(stripped) is not None
    )


def _fuzzy_choice(words: str, choices: Sequence[Choice]) -> str | None:
    if len(words) < 4:
        return None  # too short to tell a typo from a different word
    negations = _NEGATIONS.intersection(words.split())
    names = [
        (name, choice.value)
        for choice in choices
        for name in choice.names
        if len(name) >= 3 and _NEGATIONS.intersection(name.split()) == negations
    ]
    found = process.extract(
        words, [name for name, _ in names], scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
    )
    if not found:
        return None
    best_value = names[found[0][2]][1]
    for _, score, index in found[1:]:
        if names[index][1] != best_value and found[0][1] - score < FUZZY_MARGIN:
            return None
    return best_value


def parse_multiple(
    text: str, choices: Sequence[Choice], at_least: int = 1, at_most: int | None = None
) -> list[str] | None:
    """Several options: ``1 and 3``, ``1,3``, ``1 3``, ``walking & talking``; order kept."""
    words = normalise(text)
    for choice in choices:
        if words in choice.names:  # one option whose label has "and" in it
            return [choice.value] if at_least <= 1 else None
    pieces = [piece for piece in _SEPARATORS.split(words) if piece]
    if len(pieces) == 1 and re.fullmatch(r"\d+(?: \d+)+", pieces[0]):
        pieces = pieces[0].split(" ")
    values: list[str] = []
    for piece in pieces:
        value = parse_choice(piece, choices)
        if value is None:
            return None
        if value not in values:
            values.append(value)
    limit = at_most if at_most is not None else len(choices)
    if not at_least <= len(values) <= limit:
        return None
    return values


def parse_yes_no(text: str, choices: Sequence[Choice]) -> str | None:
    """``yes/yeah/yep/y/👍`` and ``no/nope/n/👎``, or an option's number or label."""
    words = normalise(text)
    if words in builtins.YES_WORDS or text.strip() in builtins.YES_WORDS:
        return "yes"
    if words in builtins.NO_WORDS or text.strip() in builtins.NO_WORDS:
        return "no"
    return parse_choice(text, choices)


def parse_rating(text: str, low: int, high: int, ends: Iterable[tuple[int, str]]) -> int | None:
    """A number on the scale, or the label of one of its ends."""
    words = normalise(text)
    for value, label in ends:
        if words == normalise(label):
            return value
    number = parse_integer(text)
    if number is None or not low <= number <= high:
        return None
    return number


def parse_number(text: str, low: int, high: int) -> int | None:
    number = parse_integer(text)
    if number is None or not low <= number <= high:
        return None
    return number


def parse_free_text(text: str) -> str | None:
    stripped = text.strip()
    return stripped or None


def match_command(text: str, keywords: dict[str, frozenset[str]]) -> str | None:
    """The command whose keyword is the *whole* message: "stop being late" is an answer."""
    words = normalise(text)
    for command, spelled in keywords.items():
        if words in spelled:
            return command
    return None

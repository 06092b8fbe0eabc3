"""Cleaning and bounding what arrives from outside, at the edge, the same for every database.

PostgreSQL refuses a NUL character in text, and a value longer than its column, with an error
that used to surface as a 500; SQLite stores either silently. So text is cleaned here (control
characters removed, keeping newline and tab; line endings made ``\\n``; lone surrogates, which no
database can store as UTF-8, removed) and identifiers are *validated*, not cleaned: an id with a
stray byte in it is not the id the sender meant, so it is refused with a 400.
"""

from __future__ import annotations

import re

# C0 controls except \t and \n, DEL, C1 controls, and lone surrogates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Carriers' ids, e.g. Twilio's SM + 32 hex digits; liberal, so another carrier's ids fit too.
_IDENTIFIER = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_IDENTIFIER = 64


class InputProblem(ValueError):
    """A field that cannot be accepted; the message names the field and says why."""


def clean_text(value: str) -> str:
    """Text without control characters (newline and tab kept), line endings as ``\\n``."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def bounded_text(name: str, value: str, max_chars: int) -> str:
    """Cleaned text, or ``InputProblem`` when it is longer than ``max_chars``."""
    cleaned = clean_text(value)
    if len(cleaned) > max_chars:
        raise InputProblem(f"{name} is longer than {max_chars} characters")
    return cleaned


def identifier(name: str, value: str) -> str:
    """An external id as sent, or ``InputProblem`` unless it is 1–64 of [A-Za-z0-9_-]."""
    if not _IDENTIFIER.fullmatch(value):
        raise InputProblem(f"{name} must be 1 to {MAX_IDENTIFIER} letters, digits, _ or -")
    return value

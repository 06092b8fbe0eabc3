"""How an engine message looks as a text message, and what it costs in SMS segments.

The layout is the shared plain text (``bot.channels.text``); SMS adds GSM-7 safety (basic phones
cannot show curly quotes), segment counting (each segment is paid for) and Twilio's length limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.text import plain_text
from flows.events import Message

# GSM 03.38: the basic character set, and the extension table (each costs two septets).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

# Typography that word processors put in and basic phones cannot show, with plain stand-ins.
_PLAIN = {
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
    "–": "-", "—": "-", "‒": "-", "―": "-", "‐": "-", "‑": "-", "…": "...",
    "`": "'", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "•": "-", "·": "-", "\t": " ",
}  # fmt: skip
_TO_PLAIN = str.maketrans(_PLAIN)


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    count: int


def gsm_safe(text: str) -> str:
    """Replace curly quotes, dashes and the like with characters every phone can show."""
    return text.translate(_TO_PLAIN)  # one pass in C: every reply goes through it


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text)


def segments(text: str) -> Segments:
    """How many SMS parts a text needs (160/153 GSM-7 septets, 70/67 UCS-2 units)."""
    if is_gsm7(text):
        costs = [2 if char in GSM7_EXTENDED else 1 for char in text]
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        costs = [len(char.encode("utf-16-le")) // 2 for char in text]
        single, multi, encoding = 70, 67, "UCS-2"
    units = sum(costs)
    if units <= single:
        return Segments(encoding, units, 1 if units else 0)
    # A character is never split between parts: an escaped GSM-7 character (two septets) or a
    # UTF-16 surrogate pair (an emoji) that would straddle a boundary starts the next part.
    count, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            count, used = count + 1, 0
        used += cost
    return Segments(encoding, units, count)


def render(message: Message, *, unicode: bool = False) -> str:
    """The text of one SMS for an engine message, in characters every phone can show unless the
    flow allows more."""
    body = plain_text(message)
    return body if unicode else gsm_safe(body)


# Twilio joins up to 1600 characters into one message on the handset; longer text is split.
TWILIO_MAX = 1600


def split_long(text: str, limit: int = TWILIO_MAX) -> list[str]:
    """Split at paragraph, then line, then sentence, then word boundaries; never mid-word."""
    if len(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n", ". ", " "):
        cut = text.rfind(separator, 0, limit)
        if cut > limit // 3:
            head = text[: cut + (1 if separator == ". " else 0)].rstrip()
            return [head, *split_long(text[cut + len(separator) :].lstrip(), limit)]
    return [text[:limit], *split_long(text[limit:], limit)]

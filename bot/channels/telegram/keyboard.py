"""How an engine message looks in Telegram: its text and the keyboard under it.

A tap on a reply-keyboard button sends the button's label as an ordinary message (as RapidPro's
Telegram channel does), so the engine reads it exactly like a typed answer and nothing about a
button needs remembering between messages. Inline keyboards and callback queries are not used:
they would be a second way in that only Telegram has. Typed numbers and words keep working.
"""

from __future__ import annotations

from typing import Any

from bot.channels.text import plain_text
from flows.events import Message

TELEGRAM_MAX = 4096  # the Bot API's longest text message
PICK_SEVERAL = "You can choose more than one: send their numbers, for example 1 and 3."
REMOVE: dict[str, Any] = {"remove_keyboard": True}
# After these nothing is being asked, so buttons left on screen would answer nothing.
ENDINGS = frozenset({"thanks", "expired", "opted_out", "no_survey"})


def reply_markup(message: Message) -> dict[str, Any] | None:
    """The Bot API ``reply_markup`` for a message: buttons for what one tap can answer, the
    keyboard taken away where the answer must be typed (free text, several choices) or the survey
    is over, and none at all for an aside (help, an intro) so the current buttons stay."""
    if message.input in {"choice", "yes_no"} and message.options:
        rows = [[{"text": option.label}] for option in message.options]
        return _keyboard(rows)
    if message.input == "rating" and message.low is not None and message.high is not None:
        return _keyboard([[{"text": str(n)} for n in range(message.low, message.high + 1)]])
    if message.input != "none" or message.role in ENDINGS:
        return REMOVE
    return None


def _keyboard(rows: list[list[dict[str, str]]]) -> dict[str, Any]:
    # one_time: the keyboard folds away after a tap, so the next question's keyboard is the only one
    return {"keyboard": rows, "resize_keyboard": True, "one_time_keyboard": True}


def text_of(message: Message) -> str:
    """The message body. Choices shown as buttons are not listed again, except in a re-ask,
    which says "reply with a number" (typing works too); a rating keeps its legend ("1 = Very
    poor") since its buttons show only numbers; several choices keep their numbers."""
    if message.input in {"choice", "yes_no"} and message.options and not message.notice:
        return message.text
    body = plain_text(message)
    if message.input == "multiple":
        body = f"{body}\n\n{PICK_SEVERAL}"
    return body


def split_long(text: str, limit: int = TELEGRAM_MAX) -> list[str]:
    """Split at paragraph, line, then word boundaries; a keyboard goes with the last part."""
    if len(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n", " "):
        cut = text.rfind(separator, 0, limit)
        if cut > limit // 3:
            return [text[:cut].rstrip(), *split_long(text[cut:].lstrip(), limit)]
    return [text[:limit], *split_long(text[limit:], limit)]


def payloads(message: Message) -> list[dict[str, Any]]:
    """The ``sendMessage`` parameters (besides ``chat_id``) for one engine message, in order."""
    parts = split_long(text_of(message))
    markup = reply_markup(message)
    last = len(parts) - 1
    return [
        {"text": part, **({"reply_markup": markup} if index == last and markup else {})}
        for index, part in enumerate(parts)
    ]

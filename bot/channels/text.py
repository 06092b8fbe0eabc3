"""How an engine message reads as plain text, for every channel that shows text (SMS, the
terminal, Telegram's message body): notice, question, then the options as ``1 Always``.

The number is what to reply: the layout needs no words in any language and reads well on a basic
phone's small screen. Channel-specific concerns (GSM-7, segments, buttons) stay in each channel.
"""

from __future__ import annotations

from flows.events import Message


def plain_text(message: Message) -> str:
    """The text of one message: notice, text, then the numbered options."""
    parts = [part for part in (message.notice, message.text) if part]
    body = "\n\n".join(parts)
    choices = _choices(message)
    if choices:
        body = f"{body}\n{choices}"
    return body


def _choices(message: Message) -> str:
    if message.input in {"choice", "multiple", "yes_no"}:
        return "\n".join(f"{option.number} {option.label}" for option in message.options)
    if message.input == "rating":
        labelled = [o for o in message.options if o.label != str(o.number)]
        if labelled:
            return "\n".join(f"{o.number} = {o.label}" for o in labelled)
        return f"({message.low}-{message.high})"
    return ""

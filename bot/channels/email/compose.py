"""An engine message as an e-mail: a plain-text part and an HTML part with the same words, the
personal link clickable, and an unsubscribe link both in the body and in the headers that mail
programs show as their own "Unsubscribe" button (RFC 2369, one-click per RFC 8058).

The HTML is deliberately plain (paragraphs, links, one inline style): mail programs strip most
CSS, and screen readers read simple markup best.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from html import escape

from bot.channels.text import plain_text
from bot.config.settings import Settings
from flows.events import Message

MAX_SUBJECT = 120
_URL = re.compile(r"https?://[^\s<>\"']+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
# The engine's message carries no language, so the footer is in plain English for everyone.
UNSUBSCRIBE = (
    "You are receiving this because {org} asks the people it supports what they think. "
    "To get no more surveys from us, by e-mail, text or Telegram, unsubscribe here: {url}"
)


def subject_of(message: Message, organisation: str) -> str:
    """The first sentence of the message, which says who asks and about what."""
    first_line = next((line for line in message.text.splitlines() if line.strip()), "")
    sentence = _SENTENCE_END.split(first_line.strip(), maxsplit=1)[0].rstrip(".")
    subject = sentence or f"{organisation}: a short survey"
    return subject if len(subject) <= MAX_SUBJECT else subject[: MAX_SUBJECT - 1] + "…"


def unsubscribe_line(settings: Settings, url: str) -> str:
    return UNSUBSCRIBE.format(org=settings.web_organisation, url=url)


def plain_body(message: Message, unsubscribe: str) -> str:
    return f"{plain_text(message)}\n\n--\n{unsubscribe}\n"


def html_body(message: Message, unsubscribe: str) -> str:
    paragraphs = [_paragraph(part) for part in plain_text(message).split("\n\n") if part.strip()]
    footer = f'<p style="color:#505a5f;font-size:90%">{_linked(unsubscribe)}</p>'
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(subject_of(message, ''))}</title></head>\n"
        f'<body style="font-family:Arial,sans-serif;font-size:16px;line-height:1.5;'
        f'color:#0b0c0c">\n{"".join(paragraphs)}\n<hr>\n{footer}\n</body></html>\n'
    )


def _paragraph(text: str) -> str:
    return "<p>" + "<br>\n".join(_linked(line) for line in text.splitlines()) + "</p>\n"


def _linked(text: str) -> str:
    """Escaped text with every web address a link (the address is its own visible text)."""
    pieces, last = [], 0
    for match in _URL.finditer(text):
        url = match.group(0)
        pieces.append(escape(text[last : match.start()]))
        pieces.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        last = match.end()
    pieces.append(escape(text[last:]))
    return "".join(pieces)


def compose(settings: Settings, to: str, message: Message, unsubscribe_url: str) -> EmailMessage:
    line = unsubscribe_line(settings, unsubscribe_url)
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = to
    mail["Subject"] = subject_of(message, settings.web_organisation)
    mail["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(plain_body(message, line))
    mail.add_alternative(html_body(message, line), subtype="html")
    return mail

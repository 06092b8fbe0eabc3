"""Deep links (``https://t.me/<bot>?start=<payload>``) and their QR codes, for posters and
newsletters: a forum's public survey is ``?start=<flow id>``; a personal invitation is
``?start=<single-use token>``.

QR codes are drawn by ``segno`` (pure Python, no Pillow), which writes PNG for print and SVG for
documents that get scaled.
"""

from __future__ import annotations

import re
from pathlib import Path

import segno

# Telegram passes a start parameter of up to 64 of these characters, and nothing else.
START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
QR_FORMATS = {".png", ".svg"}


def deep_link(username: str, payload: str) -> str:
    if not START_PAYLOAD.fullmatch(payload):
        raise ValueError(f"{payload!r} cannot be a Telegram start link: use 1-64 of A-Za-z0-9_-")
    return f"https://t.me/{username.lstrip('@')}?start={payload}"


def write_qr(link: str, path: Path) -> None:
    """A QR code of ``link``: PNG or SVG by the file's suffix. Medium error correction survives
    a creased or smudged poster."""
    if path.suffix.lower() not in QR_FORMATS:
        raise ValueError(f"{path}: the QR code file must end in .png or .svg")
    segno.make(link, error="m").save(str(path), scale=10, border=4)

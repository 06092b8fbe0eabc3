"""Reading a contacts CSV: a validated ``ContactRow`` for each good line, a ``RowProblem`` (with
the line number a spreadsheet shows) for each bad one. Pure: no database, no keys."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from storage.csv_rows import (
    CsvHeaderError,
    RowError,
    RowProblem,
    canonical_columns,
    column_key,
    separator_hint,
)
from storage.phones import InvalidPhone, is_landline, normalise_phone

# Column → address channel. A phone number is stored once, under ``sms``.
ADDRESS_COLUMNS = {"phone": "sms", "telegram": "telegram", "email": "email"}
NEEDS_COLUMNS = ("easy_read", "large_print", "answers_on_behalf", "preferred_channel")
# How a person likes to be asked (campaigns): a text conversation, Telegram, or a personal web
# link sent by text or by e-mail.
PREFERRED = ("sms", "telegram", "web_sms", "web_email")
# When they started with the provider: a per-person outcomes campaign asks its baseline then.
COLUMNS = ("name", *ADDRESS_COLUMNS, "language", *NEEDS_COLUMNS, "started_on")
REQUIRED = ("name", "language")
# What people call our columns in their own spreadsheets (compared after column_key()).
ALIASES = {
    column_key(alias): column
    for column, names in {
        "name": ("full name", "person", "client", "client name", "service user", "contact name"),
        "phone": (
            "mobile", "mobile number", "mobile phone", "mobile no", "mob", "phone number",
            "phone no", "telephone", "telephone number", "tel", "tel no", "cell", "cell phone",
            "sms", "contact number",
        ),
        "telegram": ("telegram id", "telegram chat id", "chat id"),
        "email": ("e mail", "email address", "e mail address"),
        "language": ("lang", "preferred language", "language code", "locale"),
        "easy_read": ("easy read version",),
        "answers_on_behalf": ("on behalf", "answered by"),
        "started_on": ("start date", "started", "service start", "date started"),
    }.items()
    for alias in names
}  # fmt: skip

_YES = frozenset({"yes", "y", "true", "1", "x"})
_NO = frozenset({"no", "n", "false", "0"})
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TELEGRAM = re.compile(r"[1-9][0-9]{0,15}")
MAX_TEXT = 200


@dataclass(frozen=True)
class ContactRow:
    """One person from the file. ``None`` means a blank cell: keep what is known, or default."""

    line: int
    name: str
    addresses: tuple[tuple[str, str], ...]
    language: str | None = None
    easy_read: bool | None = None
    large_print: bool | None = None
    answers_on_behalf: str | None = None
    landline: bool = False
    preferred_channel: str | None = None
    started_on: date | None = None


class ContactCsv:
    """Iterate over the rows of a contacts file; ``ignored`` lists columns we do not read."""

    def __init__(self, lines: Iterable[str], region: str = "GB") -> None:
        self._reader = csv.reader(lines)
        self.region = region
        self.columns = _header(next(self._reader, []))
        self.ignored = tuple(c for c in self.columns if c not in COLUMNS)

    def __iter__(self) -> Iterator[ContactRow | RowProblem]:
        for cells in self._reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, and rows of empty cells that spreadsheets leave behind
            line = self._reader.line_num
            if len(cells) > len(self.columns):
                yield RowProblem(
                    line,
                    f"{len(cells)} values but the header has {len(self.columns)} columns "
                    "(is there an unquoted comma in a name?)",
                )
                continue
            cell = dict(zip(self.columns, (c.strip() for c in cells), strict=False))
            try:
                yield _row(line, cell, self.region)
            except RowError as error:
                yield RowProblem(line, str(error))


def _header(cells: list[str]) -> tuple[str, ...]:
    """Our column names for the header, or every reason it cannot be used, at once."""
    columns = canonical_columns(cells, ALIASES)
    missing = [c for c in REQUIRED if c not in columns]
    if not any(c in columns for c in ADDRESS_COLUMNS):
        missing.append(f"an address ({' or '.join(ADDRESS_COLUMNS)})")
    if missing:
        found = ", ".join(c.strip() for c in cells if c.strip()) or "nothing"
        raise CsvHeaderError(
            f"line 1: the header is missing {_and(missing)} (found: {found}); names such as "
            f"mobile or tel for phone and lang for language are understood"
            f"{separator_hint(cells)}"
        )
    for column in sorted({c for c in columns if c and columns.count(c) > 1}):
        titles = [cell.strip() for cell, c in zip(cells, columns, strict=True) if c == column]
        if len(set(titles)) == 1:
            raise CsvHeaderError(f"line 1: column {titles[0]} appears more than once")
        raise CsvHeaderError(f"line 1: columns {_and(titles)} all mean {column}: keep one")
    return columns


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _row(line: int, cell: dict[str, str], region: str) -> ContactRow:
    name = " ".join(cell.get("name", "").split())
    if not name:
        raise RowError("name is empty")
    if len(name) > MAX_TEXT:
        raise RowError(f"name is longer than {MAX_TEXT} characters")
    addresses = _addresses(cell, region)
    phone = dict(addresses).get("sms")
    return ContactRow(
        line=line,
        name=name,
        addresses=addresses,
        language=_language(cell.get("language", "")),
        easy_read=_flag("easy_read", cell.get("easy_read", "")),
        large_print=_flag("large_print", cell.get("large_print", "")),
        answers_on_behalf=_on_behalf(cell.get("answers_on_behalf", "")),
        landline=phone is not None and is_landline(phone),
        preferred_channel=_preferred(cell.get("preferred_channel", "")),
        started_on=_started_on(cell.get("started_on", "")),
    )


def _addresses(cell: dict[str, str], region: str) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    if phone := cell.get("phone"):
        try:
            found.append(("sms", normalise_phone(phone, region)))
        except InvalidPhone as error:
            raise RowError(str(error)) from None
    if telegram := cell.get("telegram"):
        if not _TELEGRAM.fullmatch(telegram):
            raise RowError(
                f"telegram {telegram!r} is not a chat id (a number; a bot cannot message a "
                "@username until the person has written to it)"
            )
        found.append(("telegram", telegram))
    if email := cell.get("email"):
        if not _EMAIL.fullmatch(email):
            raise RowError(f"email {email!r} is not an e-mail address")
        # Lower case so that the keyed hash of Ann@Example.org and ann@example.org agree.
        found.append(("email", email.lower()))
    if not found:
        raise RowError("no phone, telegram or email: there is no way to reach this person")
    return tuple(found)


def _language(value: str) -> str | None:
    if not value:
        return None
    code = value.lower().replace("_", "-")
    if not _LANGUAGE.fullmatch(code) or len(code) > 20:
        raise RowError(f"language {value!r} is not a language code such as en, cy, pl or en-easy")
    return code


def _flag(column: str, value: str) -> bool | None:
    word = value.lower()
    if not word:
        return None
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise RowError(f"{column} {value!r} is not yes or no")


def _preferred(value: str) -> str | None:
    word = value.lower().replace("-", "_")
    if word and word not in PREFERRED:
        raise RowError(f"preferred_channel {value!r} is not one of {', '.join(PREFERRED)}")
    return word or None


def _started_on(value: str) -> date | None:
    if not value:
        return None
    # ISO only: 03/04/2026 is 3 April in the UK but 4 March to a spreadsheet set to US dates.
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise RowError(f"started_on {value!r} is not a date written as YYYY-MM-DD, e.g. 2026-04-01")


def _on_behalf(value: str) -> str | None:
    if len(value) > MAX_TEXT:
        raise RowError(f"answers_on_behalf is longer than {MAX_TEXT} characters")
    return value or None

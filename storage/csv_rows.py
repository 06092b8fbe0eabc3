"""What every CSV import shares: its two kinds of problem, how a rejected row is reported, and
reading a header people made in a spreadsheet (their own column names, another separator)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class CsvHeaderError(ValueError):
    """The first line is not a header we can use; nothing can be read."""


class RowError(ValueError):
    """One cell is wrong; the row is rejected with this reason."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def column_key(title: str) -> str:
    """ "Phone number", "phone-number" and " PHONE_NUMBER " are the same column."""
    return re.sub(r"[^a-z0-9]+", "_", title.strip().lower()).strip("_")


def canonical_columns(cells: Sequence[str], aliases: Mapping[str, str]) -> tuple[str, ...]:
    """Each header cell as our column name where ``aliases`` knows it, else as written (keyed)."""
    return tuple(aliases.get(column_key(cell), column_key(cell)) for cell in cells)


def separator_hint(cells: Sequence[str]) -> str:
    """A hint when the header was really split by ';' or a tab (Excel in many locales saves
    "CSV" with semicolons): the whole header then arrives as one cell."""
    joined = ",".join(cells)
    for mark, name in ((";", "semicolons"), ("\t", "tabs")):
        if len(cells) <= 1 and mark in joined:
            return (
                f"; the columns look separated by {name}, not commas: save the file as "
                "'CSV UTF-8 (Comma delimited)'"
            )
    return ""

"""What every CSV import shares: its two kinds of problem, and how a rejected row is reported."""

from __future__ import annotations

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

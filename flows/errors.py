"""Every exception the flows package raises, in one place.

Two kinds of problem exist (DESIGN.md): a *definition error* is found when a flow is loaded and is
reported as ``file:line:col: message``; a *runtime input* problem (a person typed something
unexpected) is never an exception — the engine re-asks and moves on. The only runtime exceptions
are programming errors by the caller, such as resuming a session with the wrong flow.
"""

from __future__ import annotations

from dataclasses import dataclass


class FlowError(Exception):
    """Base class of everything raised by ``flows``."""


@dataclass(frozen=True, order=True)
class Problem:
    """One definition error, located in its source file (1-based line and column)."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class FlowLoadError(FlowError):
    """A flow file could not be loaded; ``problems`` lists every error found, in file order,
    each once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class FlowNotFoundError(FlowError):
    """Neither a readable file nor the id of a bundled flow."""


class ConditionSyntaxError(FlowError):
    """A ``when:`` expression is malformed; ``offset`` is the 0-based character position."""

    def __init__(self, message: str, offset: int) -> None:
        self.offset = offset
        super().__init__(message)


class FlowMismatchError(FlowError):
    """A session was resumed with a flow other than the one that started it."""

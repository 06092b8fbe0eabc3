"""Every exception the analysis package raises, in one place.

Only the data files can be wrong: a packaged or commissioner-supplied YAML file that does not
parse or does not validate raises ``DataFileError`` at load time, naming the file and what is
wrong. Text being analysed is never an error — any string, however odd, gets a result.
"""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class of everything raised by ``analysis``."""


class DataFileError(AnalysisError):
    """A lexicon, theme or model file is unreadable or invalid; the message says where and why."""

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        self.detail = message
        super().__init__(f"{source}: {message}")

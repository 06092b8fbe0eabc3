"""What the Telegram channel needs without python-telegram-bot itself: the pacing of sends and
the neutral form of a refusal. Kept apart from ``sender`` so that a service with no bot token
never imports the library (about 10 MB of every process).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.channels.base import Failure


@dataclass(frozen=True)
class Refused(Exception):
    """Telegram did not take a message; ``kind`` says what the outbox should do about it."""

    kind: Failure
    reason: str
    retry_after: float | None = None

    def __str__(self) -> str:
        return self.reason


class Pacer:
    """Spaces sends out: at most ``overall`` a second, and ``per_chat`` a second to one chat."""

    def __init__(
        self,
        overall: float,
        per_chat: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.overall, self.per_chat = 1.0 / overall, 1.0 / per_chat
        self.sleep, self.clock = sleep, clock
        self._lock = threading.Lock()
        self._last_any = float("-inf")
        self._last: dict[str, float] = {}  # chat → monotonic time; in memory only, never stored

    def wait(self, chat: str) -> None:
        with self._lock:
            now = self.clock()
            last_here = self._last.get(chat, float("-inf"))
            due = max(self._last_any + self.overall, last_here + self.per_chat)
            if due > now:
                self.sleep(due - now)
            self._last_any = self._last[chat] = max(now, due)
            if len(self._last) > 10_000:  # forget chats not written to lately
                self._last = {chat: self._last[chat]}

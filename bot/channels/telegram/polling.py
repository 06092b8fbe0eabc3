"""Long polling (``getUpdates``) instead of a webhook: for trying carevoice on a laptop that has no
public address. Each update goes through the same ``Intake`` as the webhook's, so the two behave
the same; an update is confirmed (the next offset) only after it has been applied, and the
runner's idempotency makes a crash between the two harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Update

from bot.channels.telegram.updates import Applied, Intake

ALLOWED_UPDATES = ("message", "edited_message")  # all we read; the rest Telegram need not send


@dataclass
class PollSummary:
    updates: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def add(self, applied: Applied) -> None:
        self.updates += 1
        self.kinds[applied.kind] = self.kinds.get(applied.kind, 0) + 1


def poll(
    intake: Intake,
    *,
    timeout: int = 50,
    once: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
    progress: Callable[[Applied], None] | None = None,
) -> PollSummary:
    """Fetch and apply updates until ``should_stop()``; with ``once``, stop after the first fetch
    that brings nothing new (what is waiting gets answered, then the command ends)."""
    sender = intake.sender
    sender.call(_delete_webhook)  # Telegram refuses getUpdates while a webhook is set
    summary, offset = PollSummary(), 0
    while not should_stop():
        wait = 0 if once else timeout
        updates = sender.call(_fetch(offset, wait), timeout=wait + 30)
        for update in updates:
            applied = intake.apply(update)
            offset = update.update_id + 1
            summary.add(applied)
            if progress is not None:
                progress(applied)
        if once and not updates:
            break
    if offset:  # confirm the last ones, so a later poll or webhook does not see them again
        sender.call(_fetch(offset, 0))
    return summary


def _fetch(offset: int, wait: int) -> Callable[[Bot], Coroutine[Any, Any, tuple[Update, ...]]]:
    async def fetch(bot: Bot) -> tuple[Update, ...]:
        return await bot.get_updates(
            offset=offset, timeout=wait, allowed_updates=list(ALLOWED_UPDATES)
        )

    return fetch


async def _delete_webhook(bot: Bot) -> bool:
    return await bot.delete_webhook(drop_pending_updates=False)

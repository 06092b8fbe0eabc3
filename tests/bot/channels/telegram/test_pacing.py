"""The pace of Telegram sends, and that the channel works without importing PTB."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.channels.telegram.pacing import Pacer


def test_the_pacer_spaces_messages_to_one_chat_but_not_across_chats() -> None:
    waits: list[float] = []
    now = [100.0]

    def sleep(seconds: float) -> None:  # a clock that moves only when slept on
        waits.append(seconds)
        now[0] += seconds

    pacer = Pacer(overall=10, per_chat=1, sleep=sleep, clock=lambda: now[0])
    pacer.wait("a")
    assert waits == []
    pacer.wait("b")
    assert waits == [pytest.approx(0.1)]  # another chat waits only for the bot-wide rate
    pacer.wait("a")
    assert waits[-1] == pytest.approx(0.9)  # a second after its last, which was 0.1 s ago


def test_a_service_without_a_bot_token_never_imports_python_telegram_bot() -> None:
    # About 10 MB of every process: only a configured bot (or a test) needs the library.
    probe = (
        "import sys\n"
        "from bot.config.settings import Settings\n"
        "from bot.channels.registry import build_registry\n"
        "registry = build_registry(Settings(telegram_bot_token=''))\n"
        "registry.get('telegram').render\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'twilio')))\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "'telegram'" not in shown
    assert "'twilio.rest'" not in shown

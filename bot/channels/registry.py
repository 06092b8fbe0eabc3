"""Channels by name: what the service mounts, the outbox drains (one lane per channel),
``flows preview --channel`` shows and the CLI lists. Adding a channel is one line here.

This is the one module allowed to know every channel; channels never import each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bot.channels.base import Channel
from bot.config.settings import Settings


class UnknownChannel(LookupError):
    """A channel name nobody registered; the message lists the ones there are."""


class ChannelRegistry:
    def __init__(self, channels: Iterable[Channel]) -> None:
        self._channels = {channel.name: channel for channel in channels}

    def get(self, name: str) -> Channel:
        try:
            return self._channels[name]
        except KeyError:
            raise UnknownChannel(
                f"unknown channel {name!r}: choose {', '.join(self.names())}"
            ) from None

    def names(self) -> tuple[str, ...]:
        return tuple(self._channels)

    def __iter__(self) -> Iterator[Channel]:
        return iter(self._channels.values())

    def __contains__(self, name: object) -> bool:
        return name in self._channels


def build_registry(settings: Settings) -> ChannelRegistry:
    from bot.channels.email.channel import EmailChannel
    from bot.channels.sms.channel import SmsChannel
    from bot.channels.telegram.channel import TelegramChannel
    from bot.channels.terminal.channel import TerminalChannel
    from bot.channels.web.channel import WebChannel

    channels: list[Channel] = [
        SmsChannel(settings),
        TelegramChannel(settings),
        TerminalChannel(),
        WebChannel(),
    ]
    if settings.smtp_host:  # without a mail server, web_email is "channel not available"
        channels.append(EmailChannel(settings))
    return ChannelRegistry(channels)

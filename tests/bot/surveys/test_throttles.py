"""Reading a campaign's throttles, and the pace they set: a minute's worth at once, then no
faster than the rate, however often the worker looks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.surveys.throttles import Pace, ThrottleError, describe, parse_throttles

AT = datetime(2026, 12, 1, 10, tzinfo=UTC)


def test_throttles_are_read_per_hour() -> None:
    assert parse_throttles("sms=300/h, email=1000/h") == {"sms": 300.0, "email": 1000.0}
    assert parse_throttles("telegram = 2/min,sms=2400/d") == {"telegram": 120.0, "sms": 100.0}
    assert parse_throttles("") == {}
    assert describe({"sms": 300.0}) == "sms=300/h"
    assert describe(None).startswith("none")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("sms=300", "write channel=count/period, e.g. sms=300/h"),
        ("sms=300/week", "periods: s, min, h, d"),
        ("fax=3/h", "unknown channel 'fax'"),
        ("web_email=3/h", "by e-mail as email"),
        ("sms=0/h", "would send nothing"),
    ],
)
def test_unreadable_throttles_say_what_would_be_read(text: str, says: str) -> None:
    with pytest.raises(ThrottleError, match=re.escape(says)):
        parse_throttles(text)


def taken(pace: Pace, channel: str, at: datetime, tries: int = 100) -> int:
    return sum(pace.take(channel, at) for _ in range(tries))


def test_a_minutes_worth_at_once_then_the_rate() -> None:
    pace = Pace({"sms": 300.0})  # one every 12 seconds
    assert taken(pace, "sms", AT) == 5
    assert pace.exhausted(AT) == {"sms"}
    assert taken(pace, "sms", AT + timedelta(seconds=11)) == 0
    assert taken(pace, "sms", AT + timedelta(seconds=12)) == 1
    assert taken(pace, "email", AT) == 100  # not throttled
    # Looking every second for the first hour lets through the rate, 300, and the 4 that the
    # first minute's burst brought forward: never more than the rate plus a minute's worth.
    total = sum(taken(pace, "sms", AT + timedelta(seconds=s), 10) for s in range(13, 3600))
    assert 6 + total == 300 + 4


def test_a_slow_rate_lets_one_go_at_a_time_and_idle_time_builds_no_credit() -> None:
    pace = Pace({"email": 20.0})  # one every 3 minutes
    assert taken(pace, "email", AT) == 1
    assert taken(pace, "email", AT + timedelta(minutes=2)) == 0
    assert taken(pace, "email", AT + timedelta(minutes=3)) == 1
    assert taken(pace, "email", AT + timedelta(hours=5)) == 1
    stored = Pace({"email": 20.0}, dict(pace.due))  # what the next batch reads back
    assert taken(stored, "email", AT + timedelta(hours=5)) == 0

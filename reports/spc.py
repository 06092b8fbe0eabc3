"""Statistical process control for a monthly run chart (NHS England "Making Data Count").

An XmR chart: the centre line is the mean of the points; process limits are the mean ± 2.66 ×
the mean moving range (the average absolute difference between consecutive points). Signals of
special-cause variation:

- ``outside_limits``: a point above the upper or below the lower process limit;
- ``shift``: a run of ``shift_length`` (default 7) or more consecutive points on one side of the
  mean (a point exactly on the mean breaks the run);
- ``trend``: ``trend_length`` (default 6) or more consecutive points each higher (or each lower)
  than the one before (an equal neighbour breaks the trend);
- ``near_limit``: two of three consecutive points in the outer third between the mean and a
  limit, on the same side.

Anything else is common-cause variation: month-to-month noise, not a change to act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

LIMIT_FACTOR = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points

Rule = Literal["outside_limits", "shift", "trend", "near_limit"]


@dataclass(frozen=True)
class Signal:
    rule: Rule
    indexes: tuple[int, ...]  # positions of the points that make up the signal
    direction: Literal["up", "down"]


@dataclass(frozen=True)
class Chart:
    mean: float
    mean_moving_range: float
    lower: float
    upper: float
    signals: tuple[Signal, ...]


def chart(values: Sequence[float], shift_length: int = 7, trend_length: int = 6) -> Chart | None:
    """Centre line, process limits and signals; None with fewer than two points."""
    if len(values) < 2:
        return None
    mean = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in pairwise(values)]
    mean_range = sum(ranges) / len(ranges)
    lower, upper = mean - LIMIT_FACTOR * mean_range, mean + LIMIT_FACTOR * mean_range
    signals = [
        *_outside(values, lower, upper),
        *_shifts(values, mean, shift_length),
        *_trends(values, trend_length),
        *_near_limits(values, mean, lower, upper),
    ]
    return Chart(mean, mean_range, lower, upper, tuple(signals))


def _outside(values: Sequence[float], lower: float, upper: float) -> list[Signal]:
    found = []
    for index, value in enumerate(values):
        if value > upper:
            found.append(Signal("outside_limits", (index,), "up"))
        elif value < lower:
            found.append(Signal("outside_limits", (index,), "down"))
    return found


def _runs(signs: Sequence[int]) -> list[tuple[int, int, int]]:
    """Maximal runs of one non-zero sign: (start, end exclusive, sign)."""
    runs, start = [], 0
    for index in range(1, len(signs) + 1):
        if index == len(signs) or signs[index] != signs[start]:
            if signs[start] != 0:
                runs.append((start, index, signs[start]))
            start = index
    return runs


def _shifts(values: Sequence[float], mean: float, length: int) -> list[Signal]:
    signs = [(value > mean) - (value < mean) for value in values]
    return [
        Signal("shift", tuple(range(start, end)), "up" if sign > 0 else "down")
        for start, end, sign in _runs(signs)
        if end - start >= length
    ]


def _trends(values: Sequence[float], length: int) -> list[Signal]:
    # Steps between neighbours; a trend of `length` points is `length - 1` steps one way.
    steps = [(b > a) - (b < a) for a, b in pairwise(values)]
    return [
        Signal("trend", tuple(range(start, end + 1)), "up" if sign > 0 else "down")
        for start, end, sign in _runs(steps)
        if end - start + 1 >= length
    ]


def _near_limits(values: Sequence[float], mean: float, lower: float, upper: float) -> list[Signal]:
    high_band = mean + 2 * (upper - mean) / 3
    low_band = mean - 2 * (mean - lower) / 3
    found: list[Signal] = []
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        high = [i for i in window if values[i] > high_band]
        low = [i for i in window if values[i] < low_band]
        if len(high) >= 2 and not _covered(found, high):
            found.append(Signal("near_limit", tuple(high), "up"))
        if len(low) >= 2 and not _covered(found, low):
            found.append(Signal("near_limit", tuple(low), "down"))
    return found


def _covered(found: list[Signal], indexes: list[int]) -> bool:
    """Overlapping windows see the same pair; report it once."""
    return any(set(indexes) <= set(signal.indexes) for signal in found)

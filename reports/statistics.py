"""Proportions and their uncertainty: Wilson intervals, month-on-month change, RAG.

Everything here works on counts, never on percentages, so combined figures are always made by
adding counts and recomputing (NHS England's rule, DOMAIN.md). Proportions are 0–1 here; the
report turns them into percentages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Z95 = 1.959963984540054  # two-sided 95 %; OHID/Fingertips use 1.96, the difference is < 1e-4

Rag = Literal["green", "amber", "red"]


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def proportion(positive: int, n: int) -> float | None:
    """positive / n, or None when nobody answered (never 0 %, which would be a claim)."""
    _check_counts(positive, n)
    return positive / n if n else None


def wilson(positive: int, n: int, z: float = Z95) -> Interval | None:
    """The Wilson score interval (OHID's method): (2O + z² ∓ z√(z² + 4O(1 − O/n))) / 2(n + z²).

    Unlike the normal approximation it stays inside 0–1 and is sensible at 0 and at n positives.
    """
    _check_counts(positive, n)
    if n == 0:
        return None
    z2 = z * z
    spread = z * math.sqrt(z2 + 4 * positive * (1 - positive / n))
    centre, scale = 2 * positive + z2, 2 * (n + z2)
    # Clamp: at O = 0 or O = n the formula gives 0 or 1 up to rounding error.
    return Interval(max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale))


@dataclass(frozen=True)
class Change:
    """This month minus last month, as a proportion difference."""

    difference: float
    low: float  # Newcombe's hybrid score interval (method 10), 95 %
    high: float
    z: float | None  # pooled two-proportion z statistic; None when it is undefined
    p_value: float | None

    @property
    def significant(self) -> bool:
        """Real at the 5 % level: the interval for the change leaves out zero."""
        return self.low > 0 or self.high < 0


def change(positive: int, n: int, before_positive: int, before_n: int, z: float = Z95) -> Change:
    """Month-on-month change with Newcombe's interval and the pooled two-proportion z-test.

    Newcombe (Stat Med 1998;17:873–890, method 10) combines the two Wilson intervals; it keeps its
    coverage with small counts and proportions near 0 or 1, where the z-test is unreliable, so it
    decides ``significant``. The z-test's p-value is given beside it for readers who expect one.
    """
    now, before = wilson(positive, n, z), wilson(before_positive, before_n, z)
    if now is None or before is None:
        raise ValueError("a change needs answers in both months")
    p1, p2 = positive / n, before_positive / before_n
    difference = p1 - p2
    low = difference - math.sqrt((p1 - now.low) ** 2 + (before.high - p2) ** 2)
    high = difference + math.sqrt((now.high - p1) ** 2 + (p2 - before.low) ** 2)
    statistic, p_value = two_proportion_z(positive, n, before_positive, before_n)
    return Change(difference, low, high, statistic, p_value)


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> tuple[float | None, float | None]:
    """Pooled z statistic and two-sided p-value; (None, None) when every answer is the same."""
    _check_counts(x1, n1)
    _check_counts(x2, n2)
    if not n1 or not n2:
        return None, None
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance == 0:
        return None, None
    statistic = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return statistic, math.erfc(abs(statistic) / math.sqrt(2))


def rag(percent: float | None, green: float = 90.0, amber: float = 75.0) -> Rag | None:
    """Red/amber/green for a percentage 0–100 (contract bands: green ≥ 90, amber ≥ 75)."""
    if percent is None:
        return None
    if percent >= green:
        return "green"
    return "amber" if percent >= amber else "red"


def _check_counts(positive: int, n: int) -> None:
    if n < 0 or positive < 0 or positive > n:
        raise ValueError(f"impossible counts: {positive} of {n}")

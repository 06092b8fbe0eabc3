"""Small-number suppression (NHS England's rule, ``src/fft/suppression.py``; DOMAIN.md).

Primary: a unit whose total is 1 to threshold − 1 is suppressed; 0 is not (nobody answered,
which discloses nobody). Secondary, so a suppressed value cannot be worked out by subtracting the
others from the group total: within a group (e.g. all providers for one indicator and month),
rank the units whose total is above 0 from smallest; if rank 1 is suppressed, rank 2 is too.
A suppressed parent suppresses its two smallest children.

Unlike NHS England, which still publishes the totals of suppressed units, carevoice publishes no
value of a suppressed unit at all.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

DEFAULT_THRESHOLD = 5

K = TypeVar("K", bound=Hashable)


def is_small(total: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """The primary rule for one unit."""
    return 0 < total < threshold


def suppress(
    totals: Mapping[K, int],
    threshold: int = DEFAULT_THRESHOLD,
    parent_total: int | None = None,
) -> set[K]:
    """The units of one group to suppress, by the primary, secondary and parent rules.

    ``parent_total`` is the group's own total when it is published as a unit (e.g. the
    all-provider figure); when it is itself small, its two smallest children go too.
    """
    suppressed = {key for key, total in totals.items() if is_small(total, threshold)}
    ranked = _smallest_first(totals)
    if ranked and ranked[0] in suppressed and len(ranked) > 1:
        suppressed.add(ranked[1])
    if parent_total is not None and is_small(parent_total, threshold):
        suppressed.update(ranked[:2])
    return suppressed


def _smallest_first(totals: Mapping[K, int]) -> list[K]:
    # Ties are broken by the key's text so the same data always suppresses the same units.
    answered = [key for key, total in totals.items() if total > 0]
    return sorted(answered, key=lambda key: (totals[key], str(key)))

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

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

DEFAULT_THRESHOLD = 5

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)


@dataclass
class Hidden(Generic[R, C]):
    """What a two-way table may not show: cells, row totals, column totals, the grand total."""

    cells: set[tuple[R, C]]
    rows: set[R]
    columns: set[C]
    total: bool


def is_small(total: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """The primary rule for one unit."""
    return 0 < total < threshold


def hidden_because(
    total: int, suppressed: bool, threshold: int = DEFAULT_THRESHOLD
) -> Literal["small", "protects"] | None:
    """Which rule hid a unit, so a reader is told the true reason: a hidden unit that is not
    itself small is hidden so that another (small) number cannot be worked out from it."""
    if not suppressed:
        return None
    return "small" if is_small(total, threshold) else "protects"


def suppress(
    totals: Mapping[K, int],
    threshold: int = DEFAULT_THRESHOLD,
    parent_total: int | None = None,
    *,
    parent_suppressed: bool = False,
    already: Collection[K] = (),
) -> set[K]:
    """The units of one group to suppress, by the primary, secondary and parent rules.

    ``parent_total`` is the group's own total when it is published as a unit (e.g. the
    all-provider figure); when it is small, or ``parent_suppressed`` says it is hidden for another
    reason, its two smallest children go too. ``already`` are units hidden by another group's
    rules (a table has rows and columns): the secondary rule then protects them as well, because
    one hidden unit in a group whose total is known can always be worked out.
    """
    suppressed = {key for key, total in totals.items() if is_small(total, threshold)}
    suppressed |= set(already) & set(totals)
    ranked = _smallest_first(totals)
    hidden = [key for key in ranked if key in suppressed]
    if len(hidden) == 1 and len(ranked) > 1:
        # With primary suppression alone the lone hidden unit is rank 1, so this is NHS
        # England's "rank 1 suppressed → rank 2 suppressed".
        suppressed.add(next(key for key in ranked if key not in suppressed))
    if parent_suppressed or (parent_total is not None and is_small(parent_total, threshold)):
        suppressed.update(ranked[:2])
    return suppressed


def suppress_table(
    cells: Mapping[tuple[R, C], int], threshold: int = DEFAULT_THRESHOLD
) -> Hidden[R, C]:
    """Suppression for a two-way table whose row, column and grand totals are all published
    somewhere (e.g. providers × channels: each provider's report shows its channels and its
    respondents; the all-provider report shows each channel's total).

    Rows are one group (all providers), columns another; every row and column of cells is a group
    whose parent is that row's or column's total. The rules are applied until nothing changes.
    """
    rows: dict[R, dict[C, int]] = {}
    columns: dict[C, dict[R, int]] = {}
    for (row, column), total in cells.items():
        rows.setdefault(row, {})[column] = total
        columns.setdefault(column, {})[row] = total
    grand = sum(cells.values())
    row_totals = {row: sum(part.values()) for row, part in rows.items()}
    column_totals = {column: sum(part.values()) for column, part in columns.items()}
    result = Hidden[R, C](
        cells=set(),
        rows=suppress(row_totals, threshold, grand),
        columns=suppress(column_totals, threshold, grand),
        total=is_small(grand, threshold),
    )
    while True:
        before = len(result.cells)
        for row, part in rows.items():
            hidden = {c for r, c in result.cells if r == row}
            found = suppress(part, threshold, parent_suppressed=row in result.rows, already=hidden)
            result.cells.update((row, column) for column in found)
        for column, by_row in columns.items():
            hidden_rows = {r for r, c in result.cells if c == column}
            flagged = column in result.columns
            found_rows = suppress(by_row, threshold, parent_suppressed=flagged, already=hidden_rows)
            result.cells.update((row, column) for row in found_rows)
        if len(result.cells) == before:
            return result


def _smallest_first(totals: Mapping[K, int]) -> list[K]:
    # Ties are broken by the key's text so the same data always suppresses the same units.
    answered = [key for key, total in totals.items() if total > 0]
    return sorted(answered, key=lambda key: (totals[key], str(key)))

"""The report's other sections: respondents by channel, response rate, free text, safeguarding.

Each is a provider × category table (providers × channels, × sentiments, × flag statuses) whose
row totals, column totals and cells are all published somewhere, so each is suppressed as a
whole table (``suppress_table``) before one provider's row is read out of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reports.config import ReportConfig
from reports.model import CountCell, FinishRate, FreeText, ResponseRate, Safeguarding, Theme
from reports.model import Hidden as Because
from reports.queries import FreeTextRow
from reports.quotes import quotes_for, theme_label
from reports.statistics import wilson
from reports.suppression import Hidden, hidden_because, is_small, suppress, suppress_table


@dataclass(frozen=True)
class Table:
    cells: Mapping[tuple[int, str], int]
    hidden: Hidden[int, str]
    threshold: int

    @classmethod
    def of(cls, cells: Mapping[tuple[int, str], int], threshold: int) -> Table:
        return cls(cells, suppress_table(cells, threshold), threshold)

    def total(self, provider_id: int | None) -> tuple[int | None, bool]:
        """A provider's row total, or the grand total; (None, True) when suppressed."""
        hidden = self.hidden.total if provider_id is None else provider_id in self.hidden.rows
        if hidden:
            return None, True
        return self._sum(provider_id), False

    def because(self, provider_id: int | None) -> Because | None:
        """Why the row (or grand) total is hidden, if it is."""
        hidden = self.hidden.total if provider_id is None else provider_id in self.hidden.rows
        return hidden_because(self._sum(provider_id), hidden, self.threshold)

    def _sum(self, provider_id: int | None) -> int:
        return sum(n for (p, _), n in self.cells.items() if provider_id in (None, p))

    def row(self, provider_id: int | None) -> list[CountCell]:
        """A provider's cells, or each column's total for all providers, by key."""
        keys = sorted({column for _, column in self.cells})
        found = []
        for key in keys:
            if provider_id is None:
                count = sum(n for (_, c), n in self.cells.items() if c == key)
                hidden = key in self.hidden.columns or self.hidden.total
            else:
                count = self.cells.get((provider_id, key), 0)
                hidden = (provider_id, key) in self.hidden.cells or provider_id in self.hidden.rows
            if count or hidden:
                found.append(
                    CountCell(
                        key=key,
                        count=None if hidden else count,
                        suppressed=hidden,
                        hidden_because=hidden_because(count, hidden, self.threshold),
                    )
                )
        return found


def response_rate(
    invitations: Mapping[int, tuple[int, int]], provider_id: int | None, threshold: int
) -> ResponseRate | None:
    """Answered invitations over invitations; None where no invitations were sent."""
    parts = [v for p, v in invitations.items() if provider_id in (None, p)]
    invited, responded = sum(p[0] for p in parts), sum(p[1] for p in parts)
    if not invited:
        return None
    if is_small(invited, threshold) or is_small(responded, threshold):
        return ResponseRate(
            invited=None,
            responded=None,
            percent=None,
            ci_low=None,
            ci_high=None,
            suppressed=True,
        )
    interval = wilson(responded, invited)
    assert interval is not None
    return ResponseRate(
        invited=invited,
        responded=responded,
        percent=100 * responded / invited,
        ci_low=100 * interval.low,
        ci_high=100 * interval.high,
        suppressed=False,
    )


def finish_rates(
    completions: Mapping[tuple[int, str], tuple[int, int]], provider_id: int | None,
    names: Mapping[int, str], threshold: int,
) -> list[FinishRate]:  # fmt: skip
    """One row per provider and channel (only the provider's own in its report). No totals are
    published beside them, so a suppressed cell cannot be recovered by subtraction."""
    rows = []
    for (provider, channel), (invited, done) in sorted(completions.items()):
        if provider_id not in (None, provider):
            continue
        name = names.get(provider) if provider_id is None else None
        interval = wilson(done, invited)
        if is_small(invited, threshold) or is_small(done, threshold) or interval is None:
            hidden = dict.fromkeys(("invited", "finished", "percent", "ci_low", "ci_high"))
            rows.append(FinishRate(provider=name, channel=channel, suppressed=True, **hidden))
            continue
        rows.append(
            FinishRate(
                provider=name,
                channel=channel,
                invited=invited,
                finished=done,
                percent=100 * done / invited,
                ci_low=100 * interval.low,
                ci_high=100 * interval.high,
                suppressed=False,
            )
        )
    return rows


def caution(
    completions: Mapping[tuple[int, str], tuple[int, int]], provider_id: int | None, level: float
) -> str | None:
    """A warning for every indicator when few of those invited finished: the answers may not
    speak for everyone. Only the bound is said, never the suppressed numbers themselves."""
    parts = [v for (p, _), v in completions.items() if provider_id in (None, p)]
    invited, done = sum(p[0] for p in parts), sum(p[1] for p in parts)
    if not invited or 100 * done / invited >= level:
        return None
    return f"Fewer than {level:g} % of the people invited finished the survey: read with care."


def free_text(
    sentiments: Table, rows: list[FreeTextRow], provider_id: int | None, config: ReportConfig
) -> FreeText:
    answers, hidden = sentiments.total(provider_id)
    themes = [] if hidden else _themes(rows, config)
    return FreeText(
        answers=answers,
        suppressed=hidden,
        hidden_because=sentiments.because(provider_id),
        sentiment=sentiments.row(provider_id),
        themes=themes,
    )


def _themes(rows: list[FreeTextRow], config: ReportConfig) -> list[Theme]:
    """Top themes by count; quotes only from themes whose count may be shown."""
    counts: dict[str, int] = {}
    for row in rows:
        for theme in row.themes:
            counts[theme] = counts.get(theme, 0) + 1
    top = sorted(counts, key=lambda t: (-counts[t], t))[: config.top_themes]
    threshold = config.suppression_threshold
    hidden = suppress({t: counts[t] for t in top}, threshold)
    return [
        Theme(
            theme=theme,
            label=theme_label(theme),
            count=None if theme in hidden else counts[theme],
            suppressed=theme in hidden,
            hidden_because=hidden_because(counts[theme], theme in hidden, threshold),
            quotes=[] if theme in hidden else quotes_for(rows, theme, config.quotes_per_theme),
        )
        for theme in top
    ]


def safeguarding(statuses: Table, provider_id: int | None) -> Safeguarding:
    raised, hidden = statuses.total(provider_id)
    return Safeguarding(
        raised=raised,
        suppressed=hidden,
        hidden_because=statuses.because(provider_id),
        by_status=statuses.row(provider_id),
    )

"""Building a report: one provider's month, or all providers' month, from the database.

report = provider_report(engine, "Sunrise Care", "2026-10")
overview = all_providers_report(engine, "2026-10")
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select
from sqlmodel import col

from reports import indicator_section, queries, sections
from reports.config import ReportConfig
from reports.indicator_section import Grid, Inputs
from reports.indicators import IndicatorInfo, declared, flows
from reports.model import Report
from storage.db import reading
from storage.models import FlowVersion, Provider
from storage.providers import unknown_provider

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ReportError(ValueError):
    """The report cannot be made as asked; the message says why, in one line."""


def provider_report(
    engine: Engine,
    provider: str,
    month: str,
    config: ReportConfig | None = None,
    flows_dir: Path | None = None,
    now: datetime | None = None,
) -> Report:
    with reading(engine) as connection:
        names = _provider_names(connection)
        wanted = " ".join(provider.split()).lower()
        found = [pid for pid, name in names.items() if name.lower() == wanted]
        if not found:
            raise ReportError(unknown_provider(provider, names.values()))
        return _report(connection, found[0], month, config, flows_dir, now, names)


def all_providers_report(
    engine: Engine,
    month: str,
    config: ReportConfig | None = None,
    flows_dir: Path | None = None,
    now: datetime | None = None,
) -> Report:
    with reading(engine) as connection:
        names = _provider_names(connection)
        return _report(connection, None, month, config, flows_dir, now, names)


def _report(
    connection: Connection,
    provider_id: int | None,
    month: str,
    config: ReportConfig | None,
    flows_dir: Path | None,
    now: datetime | None,
    names: Mapping[int, str],
) -> Report:
    config = config or ReportConfig()
    _check_month(connection, month, provider_id, names)
    threshold = config.suppression_threshold
    newest_first = select(col(FlowVersion.source)).order_by(col(FlowVersion.id).desc())
    stored = [source for (source,) in connection.execute(newest_first)]
    known = declared(flows(flows_dir, stored))
    inputs = _inputs(connection, month, config, known, names)
    respondents = sections.Table.of(queries.respondents(connection, month), threshold)
    total, hidden = respondents.total(provider_id)
    sentiments = sections.Table.of(queries.sentiments(connection, month), threshold)
    statuses = sections.Table.of(queries.flag_statuses(connection, month), threshold)
    invitations = queries.invitations(connection, month)
    completions = queries.completions(connection, month)
    warning = sections.caution(completions, provider_id, config.response_rate_caution)
    indicators = indicator_section.indicators(inputs, provider_id)
    return Report(
        scope="all_providers" if provider_id is None else "provider",
        provider=None if provider_id is None else names[provider_id],
        month=month,
        generated_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        suppression_threshold=threshold,
        respondents=total,
        respondents_suppressed=hidden,
        respondents_hidden_because=respondents.because(provider_id),
        indicators=[i.model_copy(update={"caution": warning}) for i in indicators],
        fft=indicator_section.fft_block(inputs, provider_id),
        channels=respondents.row(provider_id),
        response_rate=sections.response_rate(invitations, provider_id, threshold),
        finish_rates=sections.finish_rates(completions, provider_id, names, threshold),
        free_text=sections.free_text(
            sentiments, queries.free_text(connection, month, provider_id), provider_id, config
        ),
        safeguarding=sections.safeguarding(statuses, provider_id),
    )


def _inputs(
    connection: Connection,
    month: str,
    config: ReportConfig,
    indicators: Mapping[str, IndicatorInfo],
    names: Mapping[int, str],
) -> Inputs:
    months = queries.months_back(month, config.history_months)
    cells = queries.indicator_cells(connection, months)
    return Inputs(
        grid=Grid.build(cells, config.suppression_threshold),
        months=months,
        options=queries.option_counts(connection, month),
        declared=indicators,
        names=names,
        config=config,
    )


def _check_month(
    connection: Connection, month: str, provider_id: int | None, names: Mapping[int, str]
) -> None:
    if not MONTH.match(month):
        raise ReportError(f"month {month!r} is not YYYY-MM, e.g. 2026-10")
    if not queries.has_answers(connection, month, provider_id):
        who = "any provider" if provider_id is None else names[provider_id]
        raise ReportError(f"no answers for {who} in {month}")


def _provider_names(connection: Connection) -> dict[int, str]:
    table = Provider.__table__  # type: ignore[attr-defined]
    rows = connection.execute(select(table.c.id, table.c.name).order_by(func.lower(table.c.name)))
    return {int(row[0]): str(row[1]) for row in rows}

"""A provider's outcomes over a period, from the database, for ``carevoice report --outcomes``.

section = outcomes_report(engine, "Bridge Day Centre", "2026-04", "2027-03")

Who counts: everyone whose **baseline** was answered in the period (months in Europe/London, as
every report). Their follow-up is their latest later wave with a complete score, answered by the
time the report is made, even after the period ends, because a follow-up comes months after the
baseline. Someone with a baseline and no follow-up is "lost to follow-up" only when a later wave
was actually asked of them (a later wave's conversation, whatever became of it, or a per-person
campaign's invitation to one, e.g. a link never opened) and "not yet due" otherwise, so that the
cautions on low follow-up and on those lost do not fire early in a contract year. Waves, and who
was asked one, go by the keyed pseudonym only (``storage.waves``), never the contact's id, so an
erased person's waves drop out of the pairs. Each conversation is scored with the exact flow
version it ran (``FlowVersion``), and waves pair only within one flow.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select

from flows.compiled import localise
from flows.definition import Flow
from flows.outcomes import DomainSpec, domains, score
from flows.session import AnswerValue
from reports.build import MONTH, ReportError
from reports.config import ReportConfig
from reports.indicators import flows
from reports.model import OutcomesSection
from reports.outcomes import DomainInput, Rules, domain_outcome
from reports.queries import ANSWER, CONVERSATION, counted
from storage.db import reading
from storage.models import Campaign, CampaignRun, FlowVersion, Provider
from storage.waves import BASELINE

FLOW_VERSION = FlowVersion.__table__  # type: ignore[attr-defined]
CAMPAIGN = Campaign.__table__  # type: ignore[attr-defined]
CAMPAIGN_RUN = CampaignRun.__table__  # type: ignore[attr-defined]
METHOD = (
    "Each person's score in a domain is the mean of its items, counted only when enough items "
    "were answered. People whose first answer (baseline) falls in the period are compared with "
    "their latest later answer. Mean change with a 95 % paired-t interval; effect size d_z = "
    "mean change / SD of the changes; Wilcoxon signed-rank p beside the t-test; improved, same "
    "or worse by the Jacobson–Truax Reliable Change Index (|RCI| > 1.96) with the reliability "
    "shown. Figures resting on fewer people than the suppression threshold are not published."
)


@dataclass
class Wave:
    person: str
    wave: str
    flow_id: str
    version: int
    month: str
    answers: dict[str, AnswerValue] = field(default_factory=dict)


def outcomes_report(
    engine: Engine,
    provider: str,
    start: str,
    end: str,
    config: ReportConfig | None = None,
    flows_dir: Path | None = None,
    now: datetime | None = None,
) -> OutcomesSection:
    """The function ``carevoice report --outcomes --provider NAME --from START --to END`` calls."""
    config = config or ReportConfig()
    for month in (start, end):
        if not MONTH.match(month):
            raise ReportError(f"month {month!r} is not YYYY-MM, e.g. 2026-04")
    if start > end:
        raise ReportError(f"the period starts ({start}) after it ends ({end})")
    with reading(engine) as connection:
        provider_id, name = _provider(connection, provider)
        stored = [str(src) for (src,) in connection.execute(select(FLOW_VERSION.c.source))]
        definitions = _definitions(flows(flows_dir, stored))
        waves = _waves(connection, provider_id)
        asked = asked_later(connection, provider_id)
    rules = Rules(
        threshold=config.suppression_threshold,
        assumed_reliability=config.outcome_reliability,
        follow_up_share=config.outcome_follow_up_share,
        few_people=config.outcome_few_people,
    )
    inputs = domain_inputs(waves, definitions, start, end, asked)
    return OutcomesSection(
        provider=name,
        period_start=start,
        period_end=end,
        generated_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        suppression_threshold=config.suppression_threshold,
        method=METHOD,
        domains=[domain_outcome(item, rules) for item in inputs],
    )


def _provider(connection: Connection, provider: str) -> tuple[int, str]:
    table = Provider.__table__  # type: ignore[attr-defined]
    wanted = " ".join(provider.split()).lower()
    query = select(table.c.id, table.c.name).where(func.lower(table.c.name) == wanted)
    row = connection.execute(query).first()
    if row is None:
        raise ReportError(f"no provider called {provider!r}")
    return int(row[0]), str(row[1])


def _definitions(found: Sequence[Flow]) -> dict[tuple[str, int], Flow]:
    definitions: dict[tuple[str, int], Flow] = {}
    for flow in found:
        definitions.setdefault((flow.id, flow.version), flow)
    return definitions


def _waves(connection: Connection, provider_id: int) -> list[Wave]:
    c, a = CONVERSATION.c, ANSWER.c
    query = (
        select(
            c.id,
            c.person_key,
            c.wave,
            c.flow_id,
            c.flow_version,
            a.question_id,
            a.value,
            a.reporting_month,
        )
        .join(ANSWER, a.conversation_id == c.id)
        .where(
            counted(a.provider_id == provider_id),
            c.wave.is_not(None),
            c.person_key.is_not(None),
        )
        .order_by(c.id)
    )
    found: dict[int, Wave] = {}
    for row in connection.execute(query):
        talk = found.setdefault(
            int(row[0]), Wave(str(row[1]), str(row[2]), str(row[3]), int(row[4]), str(row[7]))
        )
        talk.month = min(talk.month, str(row[7]))
        talk.answers[str(row[5])] = row[6]
    return list(found.values())


def asked_later(connection: Connection, provider_id: int) -> set[tuple[str, str]]:
    """(flow id, person key) of everyone asked a wave after their baseline: a later wave's
    conversation (active, expired or ended), or a per-person campaign's invitation to one."""
    c, r, k = CONVERSATION.c, CAMPAIGN_RUN.c, CAMPAIGN.c
    talks = select(c.flow_id, c.person_key).where(
        c.provider_id == provider_id,
        c.wave.is_not(None),
        c.wave != BASELINE,
        c.person_key.is_not(None),
    )
    runs = (
        select(k.flow_id, r.person_key)
        .join(CAMPAIGN, k.id == r.campaign_id)
        .where(
            r.provider_id == provider_id,
            r.status == "invited",
            r.period != BASELINE,
            r.person_key.is_not(None),
            k.waves.is_not(None),
        )
    )
    return {(str(f), str(p)) for f, p in connection.execute(talks.union(runs))}


def domain_inputs(
    waves: Sequence[Wave],
    definitions: Mapping[tuple[str, int], Flow],
    start: str,
    end: str,
    asked: set[tuple[str, str]],
) -> list[DomainInput]:
    """Each (flow, domain) with its people: the baseline in the period, the latest follow-up.

    ``asked``: (flow, person key) of those asked a later wave (``asked_later``)."""
    scored: dict[tuple[str, str], dict[str, list[tuple[str, bool, float]]]] = defaultdict(dict)
    specs: dict[tuple[str, str], tuple[Flow, DomainSpec]] = {}
    for talk in waves:
        flow = definitions.get((talk.flow_id, talk.version))
        if flow is None:
            continue  # a flow text no longer held anywhere: nothing to score it with
        for name, spec in domains(flow).items():
            value = score(flow, spec, talk.answers)
            if value is None:
                continue
            key = (talk.flow_id, name)
            newest = specs.get(key)
            if newest is None or newest[0].version < flow.version:
                specs[key] = (flow, spec)
            scored[key].setdefault(talk.person, []).append(
                (talk.month, talk.wave == BASELINE, value)
            )
    found = []
    for key, by_person in sorted(scored.items()):
        due = {p for f, p in asked if f == key[0]}
        people, not_due = _people(by_person, start, end, due)
        if people or not_due:
            found.append(_input(key, *specs[key], people, not_due))
    return found


def _people(
    by_person: Mapping[str, list[tuple[str, bool, float]]], start: str, end: str,
    asked: set[str],
) -> tuple[list[tuple[float, float | None]], list[float]]:  # fmt: skip
    """(baseline, follow-up or None when lost) of those asked again; baselines of the rest."""
    people: list[tuple[float, float | None]] = []
    not_due: list[float] = []
    for person, waves in sorted(by_person.items()):
        baselines = sorted((m, v) for m, is_base, v in waves if is_base and start <= m <= end)
        if not baselines:
            continue
        month, before = baselines[0]
        later = sorted((m, v) for m, is_base, v in waves if not is_base and m >= month)
        if later:
            people.append((before, later[-1][1]))
        elif person in asked:
            people.append((before, None))
        else:
            not_due.append(before)
    return people, not_due


def _input(
    key: tuple[str, str], flow: Flow, spec: DomainSpec,
    people: list[tuple[float, float | None]], not_due: list[float],
) -> DomainInput:  # fmt: skip
    declared = next(d for d in flow.outcomes if d.domain == spec.domain)
    label = localise(declared.label, "en", flow.language) if declared.label else None
    return DomainInput(
        flow_id=key[0],
        domain=spec.domain,
        label=label or spec.domain.replace("_", " ").capitalize(),
        better=spec.better,
        low=spec.low,
        high=spec.high,
        reliability=spec.reliability,
        people=people,
        not_due=not_due,
    )

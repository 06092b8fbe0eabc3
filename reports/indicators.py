"""The indicators the flows declare: their options, in order, with labels, for reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flows.compiled import localise
from flows.definition import Flow, Rating
from flows.loader import bundled_ids, load, load_file, load_text


@dataclass(frozen=True)
class IndicatorInfo:
    name: str
    question: str  # the question's English text, for the report's explanation
    options: tuple[tuple[str, str], ...]  # (stored value, label) in the flow's order
    positive: tuple[str, ...]
    negative: tuple[str, ...]


def flows(extra_dir: Path | None = None, stored: Iterable[str] = ()) -> list[Flow]:
    """The bundled flows, the operator's own, and every flow text a conversation ran with.

    The stored texts matter when a survey's file has since been removed or renamed: its answers
    are still reported with their indicators' labels."""
    found = [load(flow_id) for flow_id in bundled_ids()]
    if extra_dir is not None:
        found += [load_file(path) for path in sorted(extra_dir.glob("*.yaml"))]
    found += [_parsed(source) for source in stored]
    return found


@cache
def _parsed(source: str) -> Flow:
    return load_text(source, "<stored flow>")


def declared(all_flows: Iterable[Flow]) -> dict[str, IndicatorInfo]:
    """Every indicator, first declaration wins (flows sharing an indicator share its options)."""
    found: dict[str, IndicatorInfo] = {}
    for flow in all_flows:
        for question in flow.questions:
            indicator = getattr(question, "indicator", None)
            if indicator is None or indicator.name in found:
                continue
            found[indicator.name] = IndicatorInfo(
                name=indicator.name,
                question=localise(question.text, "en", flow.language),
                options=_options(flow, question),
                positive=tuple(indicator.positive),
                negative=tuple(indicator.negative),
            )
    return found


def _options(flow: Flow, question: object) -> tuple[tuple[str, str], ...]:
    if isinstance(question, Rating):
        return tuple((str(p), str(p)) for p in range(question.min, question.max + 1))
    options = getattr(question, "options", [])
    return tuple((o.value, localise(o.label, "en", flow.language)) for o in options)


_LABELS = {"fft": "Friends and Family Test"}


def label(name: str) -> str:
    """``social_contact`` → ``Social contact``."""
    return _LABELS.get(name) or name.replace("_", " ").capitalize()

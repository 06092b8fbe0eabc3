"""The report as data (pydantic): what every renderer reads, and what JSON publishes.

A suppressed unit carries ``suppressed: true`` and ``None`` for every value, so no renderer can
show what it was: the numbers are gone before rendering starts. Percentages are 0–100, unrounded.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

Rag = Literal["green", "amber", "red"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OptionCount(_Model):
    value: str
    label: str
    count: int | None
    polarity: Literal["positive", "negative", "neutral"]


class Comparison(_Model):
    """The same indicator for all providers together (counts added, then recomputed)."""

    n: int | None
    percent_positive: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


class ChangeResult(_Model):
    previous_month: str
    previous_percent_positive: float
    change_points: float = Field(description="This month minus last, in percentage points.")
    ci_low: float = Field(description="Newcombe 95 % interval for the change, in points.")
    ci_high: float
    z: float | None
    p_value: float | None
    significant: bool


class SpcPoint(_Model):
    month: str
    n: int
    percent_positive: float


class SpcSignal(_Model):
    rule: Literal["outside_limits", "shift", "trend", "near_limit"]
    direction: Literal["up", "down"]
    months: list[str]


class SpcResult(_Model):
    points: list[SpcPoint]
    mean: float | None
    lower_limit: float | None
    upper_limit: float | None
    signals: list[SpcSignal]


class ProviderFigure(_Model):
    """One provider's figure in the all-provider report (listed by name, not ranked)."""

    provider: str
    n: int | None
    percent_positive: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


class IndicatorResult(_Model):
    indicator: str
    label: str
    question: str
    n: int | None
    counts: list[OptionCount] | None
    positive: int | None
    percent_positive: float | None
    ci_low: float | None
    ci_high: float | None
    percent_negative: float | None
    suppressed: bool
    rag: Rag | None
    all_providers: Comparison | None = None
    change: ChangeResult | None = None
    spc: SpcResult
    providers: list[ProviderFigure] | None = None
    caution: str | None = Field(
        default=None, description="Set when the response rate behind it is below the caution level."
    )


class FftBlock(_Model):
    total: int | None
    counts: list[OptionCount] | None
    percent_positive: float | None
    percent_negative: float | None
    suppressed: bool


class CountCell(_Model):
    """A published count: ``None`` with ``suppressed`` when small."""

    key: str
    count: int | None
    suppressed: bool


class ResponseRate(_Model):
    invited: int | None
    responded: int | None
    percent: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


class FinishRate(_Model):
    """Invited → finished, per channel (and provider in the all-provider report), Wilson 95 %."""

    provider: str | None
    channel: str
    invited: int | None
    finished: int | None
    percent: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


class Theme(_Model):
    theme: str
    label: str
    count: int | None
    suppressed: bool
    quotes: list[str]


class FreeText(_Model):
    answers: int | None
    suppressed: bool
    sentiment: list[CountCell]
    themes: list[Theme]


class Safeguarding(_Model):
    raised: int | None
    suppressed: bool
    by_status: list[CountCell]


class Report(_Model):
    schema_version: str = SCHEMA_VERSION
    scope: Literal["provider", "all_providers"]
    provider: str | None = Field(description="None in the all-provider report.")
    month: str
    generated_at: str
    suppression_threshold: int
    respondents: int | None
    respondents_suppressed: bool
    indicators: list[IndicatorResult]
    fft: FftBlock
    channels: list[CountCell]
    response_rate: ResponseRate | None
    finish_rates: list[FinishRate] = Field(default_factory=list)
    free_text: FreeText
    safeguarding: Safeguarding

"""The report as data (pydantic): what every renderer reads, and what JSON publishes.

A suppressed unit carries ``suppressed: true`` and ``None`` for every value, so no renderer can
show what it was: the numbers are gone before rendering starts. Percentages are 0–100, unrounded.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = (
    "1.4"  # 1.1: why hidden, RAG thresholds, SPC minimum; 1.2: outcomes; 1.3: finish rates;
    # 1.4: outcomes count who is not yet due a follow-up apart from who was lost
)

Rag = Literal["green", "amber", "red"]
# Why a unit is hidden: its own total is 1 to threshold − 1 ("small"), or it is hidden so that a
# small unit beside it cannot be worked out by subtraction from a published total ("protects").
Hidden = Literal["small", "protects"]


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
    hidden_because: Hidden | None = None


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
    min_points: int = Field(
        default=6, description="Months needed before limits and signals are worked out."
    )


class RagThresholds(_Model):
    """The contract's bands, in % positive: green at or above ``green``, amber at or above
    ``amber``, red below."""

    green: float
    amber: float


class ProviderFigure(_Model):
    """One provider's figure in the all-provider report (listed by name, not ranked)."""

    provider: str
    n: int | None
    percent_positive: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool
    hidden_because: Hidden | None = None


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
    rag_thresholds: RagThresholds | None = None
    hidden_because: Hidden | None = None
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
    hidden_because: Hidden | None = None


class CountCell(_Model):
    """A published count: ``None`` with ``suppressed`` when small."""

    key: str
    count: int | None
    suppressed: bool
    hidden_because: Hidden | None = None


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
    hidden_because: Hidden | None = None
    quotes: list[str]


class FreeText(_Model):
    answers: int | None
    suppressed: bool
    hidden_because: Hidden | None = None
    sentiment: list[CountCell]
    themes: list[Theme]


class Safeguarding(_Model):
    raised: int | None
    suppressed: bool
    hidden_because: Hidden | None = None
    by_status: list[CountCell]


class Caution(_Model):
    kind: Literal["few_people", "low_follow_up", "different_start", "assumed_reliability"]
    message: str


class DomainOutcome(_Model):
    """Change in one outcome domain between people's first and later answers (reports.outcomes).

    Scores are on the items' own scale (``scale_low``–``scale_high``); changes are follow-up minus
    baseline in those points, so with ``better: lower`` a fall is an improvement."""

    flow_id: str
    domain: str
    label: str
    better: Literal["higher", "lower"]
    scale_low: int
    scale_high: int
    suppressed: bool
    people_with_baseline: int | None = None
    people_paired: int | None = Field(default=None, description="People with both waves.")
    lost_to_follow_up: int | None = Field(
        default=None, description="Asked a later wave and did not answer it."
    )
    not_yet_due: int | None = Field(
        default=None, description="With a baseline, not asked a later wave yet: not lost."
    )
    follow_up_percent: float | None = Field(
        default=None, description="Of the people asked a later wave, those paired."
    )
    baseline_mean: float | None = Field(default=None, description="Of the people paired.")
    follow_up_mean: float | None = None
    baseline_mean_lost: float | None = Field(
        default=None, description="Of those with no follow-up; None when they are few."
    )
    mean_change: float | None = None
    ci_low: float | None = Field(default=None, description="Paired t 95 % interval.")
    ci_high: float | None = None
    sd_change: float | None = None
    t: float | None = None
    p_value: float | None = Field(default=None, description="Paired t-test, two-sided.")
    effect_size_dz: float | None = Field(
        default=None, description="Cohen's d_z: mean change / SD of the changes."
    )
    wilcoxon_p: float | None = Field(default=None, description="Wilcoxon signed-rank, two-sided.")
    reliability: float | None = None
    reliability_assumed: bool | None = None
    reliable_change_points: float | None = Field(
        default=None, description="Jacobson–Truax: a change at least this large is reliable."
    )
    improved: int | None = None
    same: int | None = None
    worse: int | None = None
    cautions: list[Caution] = Field(default_factory=list)


class OutcomesSection(_Model):
    """A provider's outcomes over a period: each domain, baseline against latest follow-up."""

    schema_version: str = SCHEMA_VERSION
    provider: str
    period_start: str = Field(description="YYYY-MM: baselines answered from this month…")
    period_end: str = Field(description="…to this month, inclusive (Europe/London).")
    generated_at: str
    suppression_threshold: int
    method: str
    domains: list[DomainOutcome]


class Report(_Model):
    schema_version: str = SCHEMA_VERSION
    scope: Literal["provider", "all_providers"]
    provider: str | None = Field(description="None in the all-provider report.")
    month: str
    generated_at: str
    suppression_threshold: int
    respondents: int | None
    respondents_suppressed: bool
    respondents_hidden_because: Hidden | None = None
    indicators: list[IndicatorResult]
    fft: FftBlock
    channels: list[CountCell]
    response_rate: ResponseRate | None
    finish_rates: list[FinishRate] = Field(default_factory=list)
    free_text: FreeText
    safeguarding: Safeguarding
    outcomes: OutcomesSection | None = Field(
        default=None, description="Outcome change over a period, when asked for."
    )

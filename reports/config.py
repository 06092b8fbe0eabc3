"""What a report may be tuned by: all local rules, none national (DOMAIN.md), so configurable.

Set by environment, e.g. ``CAREVOICE_REPORT_SUPPRESSION_THRESHOLD=10`` or
``CAREVOICE_REPORT_RAG='{"punctuality": {"green": 95, "amber": 85}}'``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from reports.suppression import DEFAULT_THRESHOLD


class RagBands(BaseModel):
    green: float = Field(default=90.0, ge=0, le=100, description="Green at or above, in %.")
    amber: float = Field(default=75.0, ge=0, le=100, description="Amber at or above, in %.")

    @model_validator(mode="after")
    def _ordered(self) -> RagBands:
        if self.amber > self.green:
            raise ValueError("the amber band must start at or below the green band")
        return self


class ReportConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAREVOICE_REPORT_", extra="ignore")

    suppression_threshold: int = Field(
        default=DEFAULT_THRESHOLD, ge=1, description="Cells of 1 to this − 1 are suppressed."
    )
    rag_default: RagBands = RagBands()
    rag: dict[str, RagBands] = Field(default_factory=dict, description="Bands per indicator.")
    history_months: int = Field(default=12, ge=2, le=60)
    shift_length: int = Field(default=7, ge=3, description="SPC: points in a run on one side.")
    trend_length: int = Field(default=6, ge=3, description="SPC: points rising or falling.")
    # Wheeler: "useful limits may be constructed with as few as five or six values"; NHS-R's
    # plotthedots calls limits from fewer than 12 points trial limits. Below this, points only.
    spc_min_points: int = Field(
        default=6, ge=2, description="SPC: months needed before limits and signals."
    )
    top_themes: int = Field(default=8, ge=0)
    quotes_per_theme: int = Field(default=3, ge=0, le=3)
    outcome_reliability: float = Field(
        default=0.7,
        gt=0,
        lt=1,
        description="Reliability assumed for the Reliable Change Index when a flow gives none.",
    )
    outcome_follow_up_share: float = Field(
        default=0.6, ge=0, le=1, description="Caution when fewer followed up than this share."
    )
    outcome_few_people: int = Field(
        default=20, ge=1, description="Caution when fewer people than this have both waves."
    )
    response_rate_caution: float = Field(
        default=20.0, ge=0, le=100, description="Percent finished below which indicators caution."
    )

    def bands(self, indicator: str) -> RagBands:
        return self.rag.get(indicator, self.rag_default)
